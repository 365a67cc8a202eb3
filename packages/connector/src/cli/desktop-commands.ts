import type { CommandModule } from './program.js';

/**
 * The commands of the installed desktop program: the API with its sandbox, the local CA and
 * the card tools. No DS, demo or emulator: those are server and test software.
 */
export const DESKTOP_COMMANDS: readonly CommandModule[] = [
  { names: ['api', 'sandbox', 'cert'], load: async () => (await import('./api-commands.js')).registerApiCommands },
  { names: ['registry'], load: async () => (await import('./registry-commands.js')).registerRegistryCommands },
  { names: ['card'], load: async () => (await import('./card-commands.js')).registerCardCommands },
];
