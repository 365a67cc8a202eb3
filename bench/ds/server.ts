// The DS under test, in its own process so it does not share an event loop with the load
// generator. Prints one JSON line {url, adminToken} on stdout, stops on SIGTERM.
import { randomBytes } from 'node:crypto';
import { startDistributionService } from '../../packages/ds/src/index.js';

const [dataDir = '', databaseUrl = ''] = process.argv.slice(2);
const ds = await startDistributionService({
  port: 0, dataDir, databaseUrl: databaseUrl === '' ? undefined : databaseUrl, logLevel: 'warn',
  keyEncryptionKey: randomBytes(32).toString('base64'),
  adminToken: 'bench-admin-token-0123456789abcdef',
  // The limiter is part of the hot path but must not cap a benchmark run.
  rateLimit: { perKey: 10_000_000, perAddress: 10_000_000 },
});
process.stdout.write(`${JSON.stringify({ url: ds.url, adminToken: ds.adminToken })}\n`);
process.once('SIGTERM', () => { void ds.close().then(() => process.exit(0)); });
