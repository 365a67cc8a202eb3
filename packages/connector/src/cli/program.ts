import { Command, CommanderError } from 'commander';
import { CONNECTOR_VERSION } from '../version.js';

export type Register = (program: Command) => void;

/** A top-level command (or several) and the module that defines it, loaded only when run. */
export interface CommandModule {
  readonly names: readonly string[];
  readonly load: () => Promise<Register>;
}

const VERSION_FLAGS = ['-V', '--version'];

/**
 * Builds the `t1c` program with the commands `argv` needs: the one named, none for
 * `--version`, all of them for help or an unknown word.
 */
export async function buildCliProgram(argv: readonly string[], commands: readonly CommandModule[]): Promise<Command> {
  const program = new Command('t1c')
    .description('Open smart-card connector, wire-compatible with Trust1Connector v3')
    .version(CONNECTOR_VERSION, '-V, --version', 'print the version')
    .exitOverride()
    .showHelpAfterError();
  const word = argv[2];
  const one = commands.find((c) => word !== undefined && c.names.includes(word));
  const needed = one ? [one] : word !== undefined && VERSION_FLAGS.includes(word) ? [] : commands;
  for (const command of needed) (await command.load())(program);
  return program;
}

/** Runs the CLI and resolves to the process exit code. */
export async function runCli(argv: string[], commands: readonly CommandModule[]): Promise<number> {
  try {
    await (await buildCliProgram(argv, commands)).parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode;
    process.stderr.write(`t1c: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}
