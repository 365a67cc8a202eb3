// Runs `t1c ds …` through registerDsCommands alone, so tests do not depend on the rest of
// the connector's CLI being importable.
import { Command } from 'commander';
import { registerDsCommands } from '../../src/index.js';

const program = new Command('t1c').exitOverride();
registerDsCommands(program);
try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (!(error instanceof Error && 'exitCode' in error)) process.stderr.write(`t1c: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
}
