/**
 * Entry of the installed desktop program (the single executable built by `npm run dist`):
 * the desktop commands only, bundled into one CommonJS file. A single executable's argv is
 * `[execPath, argv0 as typed, ...words]`, the same shape as `node script …`, so the CLI
 * parser takes it as it is.
 */
import { DESKTOP_COMMANDS } from '../cli/desktop-commands.js';
import { runCli } from '../cli/program.js';

void runCli(process.argv, DESKTOP_COMMANDS).then((code) => {
  process.exitCode = code;
});
