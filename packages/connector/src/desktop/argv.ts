import { isSea } from 'node:sea';

/**
 * The CLI parser expects `[node, script, ...words]`. A single executable is started as
 * `[exe, ...words]`: Node puts the executable's path in argv[1] as well in some versions and
 * not in others, so the words are whatever follows the leading copies of the executable.
 */
export function cliArgv(argv: readonly string[], execPath: string, sea: boolean = isSea()): string[] {
  if (!sea) return [...argv];
  const words = argv.slice(1);
  if (words[0] === execPath) words.shift();
  return [execPath, execPath, ...words];
}
