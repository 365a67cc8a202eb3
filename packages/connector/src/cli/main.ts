import { Command, CommanderError } from 'commander';

type Register = (program: Command) => void;

/**
 * Each top-level command and the module that defines it. Only the module of the command being
 * run is loaded, so the sandbox child does not carry the DS, fastify or the demo in memory.
 */
const COMMANDS: readonly { readonly names: readonly string[]; readonly load: () => Promise<Register> }[] = [
  { names: ['api', 'sandbox', 'cert'], load: async () => (await import('./api-commands.js')).registerApiCommands },
  { names: ['card'], load: async () => (await import('./card-commands.js')).registerCardCommands },
  { names: ['emulator'], load: async () => (await import('./emulator-commands.js')).registerEmulatorCommands },
  { names: ['ds'], load: async () => (await import('@t1c/ds')).registerDsCommands },
  { names: ['start'], load: async () => (await import('./start-command.js')).registerStartCommand },
];

/** Builds the `t1c` program with the commands `argv` needs (all of them for help or an unknown word). */
export async function buildProgram(argv: readonly string[] = []): Promise<Command> {
  const program = new Command('t1c')
    .description('Open smart-card connector, wire-compatible with Trust1Connector v3')
    .exitOverride()
    .showHelpAfterError();
  const word = argv[2];
  const one = COMMANDS.find((c) => word !== undefined && c.names.includes(word));
  for (const command of one ? [one] : COMMANDS) (await command.load())(program);
  return program;
}

/** Runs the CLI and resolves to the process exit code. */
export async function main(argv: string[]): Promise<number> {
  try {
    await (await buildProgram(argv)).parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode;
    process.stderr.write(`t1c: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}
