import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { describe, it } from 'node:test';
import { freePort } from './helpers/free-port.js';

describe('test helper: freePort', () => {
  it('gives a port on 127.0.0.1 that a server can listen on at once, and leaves nothing listening', async () => {
    const port = await freePort();
    assert.ok(Number.isInteger(port) && port > 0 && port <= 65535, String(port));
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', resolve);
    });
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('never a port that is in use', async () => {
    const held = createServer();
    await new Promise<void>((resolve) => held.listen(0, '127.0.0.1', resolve));
    const address = held.address();
    try {
      assert.ok(address !== null && typeof address === 'object');
      for (let i = 0; i < 20; i++) assert.notEqual(await freePort(), address.port);
    } finally {
      await new Promise<void>((resolve) => held.close(() => resolve()));
    }
  });
});
