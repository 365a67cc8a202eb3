import type { Command } from 'commander';

/** Adds `t1c ds …` to the CLI. */
export function registerDsCommands(program: Command): void {
  program.command('ds').description('Distribution Service (not yet implemented)').action(() => {
    throw new Error('the Distribution Service is not implemented yet');
  });
}
