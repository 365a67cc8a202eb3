import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli } from './helpers/run-cli.js';

describe('t1c api on a busy port', () => {
  let holder: Server;
  let port: number;
  let home: string;

  before(async () => {
    home = mkdtempSync(join(tmpdir(), 't1c-api-cli-'));
    holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    const address = holder.address();
    port = typeof address === 'object' && address ? address.port : 0;
  });
  after(async () => {
    await new Promise<void>((resolve) => holder.close(() => resolve()));
    rmSync(home, { recursive: true, force: true });
  });

  it('exits with one line naming the port instead of a stack trace', async () => {
    const result = await runCli(['api', '--http', '--no-jwt', '--no-pcsc', '--port', String(port), '--data-dir', join(home, 'data')], '', { HOME: home });
    assert.equal(result.code, 1);
    assert.equal(result.stderr, `t1c: t1c api cannot listen: port ${port} is already in use (another connector?). Choose another with --port, or stop the other one.\n`);
  });
});
