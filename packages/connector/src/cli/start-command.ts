import type { Command } from 'commander';
import { join } from 'node:path';
import { defaultUserDirs } from '../config/paths.js';
import { runProduct } from '../start/run-product.js';
import { explainListenError } from './listen-errors.js';
import { untilStopSignal } from './until-stop-signal.js';

export function registerStartCommand(program: Command): void {
  program.command('start')
    .description('run the whole product locally: Distribution Service, connector with a virtual eID, demo web app')
    .option('--data-dir <dir>', 'where the DS and the connector keep their data')
    .option('--demo-port <port>', 'port of the demo web app', (v) => Number(v), 8088)
    .option('--api-port <port>', 'port of the connector API', (v) => Number(v), 51983)
    .option('--ds-port <port>', 'port of the Distribution Service', (v) => Number(v), 52000)
    .option('--no-pcsc', 'show only the virtual card, not the real PC/SC readers')
    .action(async (options: { dataDir?: string; demoPort: number; apiPort: number; dsPort: number; pcsc: boolean }) => {
      const product = await runProduct({
        dataDir: options.dataDir ?? join(defaultUserDirs().dataDir, 'demo'), demoPort: options.demoPort, apiPort: options.apiPort, dsPort: options.dsPort, pcsc: options.pcsc,
      }).catch((error: unknown) => { throw explainListenError(error, 't1c start'); });
      const stopped = untilStopSignal();
      process.stdout.write(`\nRead my card is running.\n  Open ${product.demoUrl}\n  Connector ${product.connectorUrl}\n  Distribution Service ${product.dsUrl}\nPress Ctrl-C to stop.\n`);
      await stopped;
      await product.close();
      process.stdout.write('stopped\n');
    });
}
