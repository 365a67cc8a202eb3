import { Command, CommanderError } from 'commander';
import { registerDsCommands } from '@t1c/ds';
import { registerApiCommands } from './api-commands.js';
import { registerCardCommands } from './card-commands.js';
import { registerEmulatorCommands } from './emulator-commands.js';
import { registerStartCommand } from './start-command.js';

/** Builds the `t1c` program; exported so tests can run commands without a process. */
export function buildProgram(): Command {
  const program = new Command('t1c')
    .description('Open smart-card connector, wire-compatible with Trust1Connector v3')
    .exitOverride()
    .showHelpAfterError();
  registerApiCommands(program);
  registerCardCommands(program);
  registerEmulatorCommands(program);
  registerDsCommands(program);
  registerStartCommand(program);
  return program;
}

/** Runs the CLI and resolves to the process exit code. */
export async function main(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode;
    process.stderr.write(`t1c: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}
