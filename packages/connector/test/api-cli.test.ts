import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
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

describe('t1c api with a bad --allow-origin', () => {
  let home: string;
  before(() => { home = mkdtempSync(join(tmpdir(), 't1c-api-origin-')); });
  after(() => rmSync(home, { recursive: true, force: true }));

  for (const [pattern, reason] of [
    ['https://*.github.io', 'is a public suffix'],
    ['https://*.co.uk', 'is a public suffix'],
    ['https://example.org/path', 'is not an origin'],
  ] as const) {
    it(`refuses ${pattern} at start, naming why, and writes no data`, async () => {
      const data = join(home, 'data');
      const result = await runCli(['api', '--http', '--no-jwt', '--no-pcsc', '--port', '0', '--data-dir', data, '--allow-origin', 'https://ok.example.org', '--allow-origin', pattern], '', { HOME: home });
      assert.equal(result.code, 1);
      assert.match(result.stderr, new RegExp(`^t1c: allowed origins: .*${reason}`));
      assert.equal(existsSync(data), false);
    });
  }
});
