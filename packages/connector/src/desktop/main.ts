/**
 * Entry of the installed desktop program (the single executable built by `npm run dist`):
 * the desktop commands only, bundled into one CommonJS file.
 */
import { DESKTOP_COMMANDS } from '../cli/desktop-commands.js';
import { runCli } from '../cli/program.js';
import { cliArgv } from './argv.js';

void runCli(cliArgv(process.argv, process.execPath), DESKTOP_COMMANDS).then((code) => {
  process.exitCode = code;
});
