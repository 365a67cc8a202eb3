import type { Command } from 'commander';
import { DESKTOP_COMMANDS } from './desktop-commands.js';
import { buildCliProgram, runCli, type CommandModule } from './program.js';

/**
 * Every command of the development CLI: the desktop ones plus the DS, the emulator and the
 * all-in-one `start`. Only the module of the command being run is loaded, so the sandbox
 * child does not carry the DS, fastify or the demo in memory.
 */
const COMMANDS: readonly CommandModule[] = [
  ...DESKTOP_COMMANDS,
  { names: ['emulator'], load: async () => (await import('./emulator-commands.js')).registerEmulatorCommands },
  { names: ['ds'], load: async () => (await import('@t1c/ds')).registerDsCommands },
  { names: ['start'], load: async () => (await import('./start-command.js')).registerStartCommand },
];

/** Builds the `t1c` program with the commands `argv` needs (all of them for help or an unknown word). */
export async function buildProgram(argv: readonly string[] = []): Promise<Command> {
  return buildCliProgram(argv, COMMANDS);
}

/** Runs the CLI and resolves to the process exit code. */
export async function main(argv: string[]): Promise<number> {
  return runCli(argv, COMMANDS);
}
