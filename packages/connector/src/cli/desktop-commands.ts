import type { CommandModule } from './program.js';

/**
 * The commands of the installed desktop program: the API with its sandbox, the local CA and
 * the card tools, and the self-check the help desk asks users to run. No DS, demo or emulator: those are server and test software.
 */
export const DESKTOP_COMMANDS: readonly CommandModule[] = [
  { names: ['api', 'sandbox', 'cert'], load: async () => (await import('./api-commands.js')).registerApiCommands },
  { names: ['registry'], load: async () => (await import('./registry-commands.js')).registerRegistryCommands },
  { names: ['card'], load: async () => (await import('./card-commands.js')).registerCardCommands },
  { names: ['config'], load: async () => (await import('./config-commands.js')).registerConfigCommands },
  { names: ['doctor'], load: async () => (await import('./doctor-command.js')).registerDoctorCommand },
];
