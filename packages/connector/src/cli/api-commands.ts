import type { Command } from 'commander';

/** `t1c api` and `t1c sandbox`: the local API server and its card sandbox. */
export function registerApiCommands(program: Command): void {
  program.command('api').description('local API server (not yet implemented)').action(() => {
    throw new Error('the local API is not implemented yet');
  });
}
