import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../src/api/app.js';
import { BulkPins } from '../src/api/bulk-pins.js';
import { T1CError } from '../src/api/errors.js';
import { Pkcs11LibraryConfig } from '../src/config/pkcs11-libraries.js';
import { selfCommand } from '../src/os/self-command.js';
import { SandboxClient } from '../src/sandbox/client.js';
import { RemoteCardService } from '../src/sandbox/remote-card-service.js';
import { DeviceKey } from '../src/security/device-key.js';
import { SeenCiphertexts } from '../src/security/seen-ciphertexts.js';
import { servedHosts } from '../src/security/served-hosts.js';

/** A real `t1c sandbox` client that notes every request it sends (module.op). */
class CountingSandboxClient extends SandboxClient {
  readonly sent: string[] = [];
  override call(request: Parameters<SandboxClient['call']>[0], timeoutMs: number): Promise<unknown> {
    this.sent.push(`${request.module}.${request.op}`);
    return super.call(request, timeoutMs);
  }
}

const BEID = '/v3/modules/beid/apps/token/readers';
const EMV = '/v3/modules/emv/apps/payment/readers';

describe('a card data route costs one sandbox request; the sandbox\'s own checks give the T1C errors', () => {
  let dir: string;
  let sandbox: CountingSandboxClient;
  let seenPins: SeenCiphertexts;
  let app: FastifyInstance;
  let rid: string;
  const onStarted: (() => void)[] = [];

  const get = async (url: string): Promise<{ status: number; body: { success: boolean; code?: string; description?: string } }> => {
    const answer = await app.inject({ method: 'GET', url, headers: { host: 'localhost' } });
    return { status: answer.statusCode, body: answer.json() };
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 't1c-route-requests-'));
    sandbox = new CountingSandboxClient({
      spawn: selfCommand(['sandbox', '--virtual-card', 'beid-1.8', '--no-pcsc']),
      onEvent: (event) => {
        if (event === 'started') for (const resolve of onStarted.splice(0)) resolve();
      },
    });
    await sandbox.start();
    const deviceKey = DeviceKey.loadOrCreate(dir);
    seenPins = SeenCiphertexts.open(dir, deviceKey.fingerprint);
    app = await buildApp({
      cards: new RemoteCardService(sandbox),
      deviceKey,
      jwt: undefined,
      policy: { allowOrigins: [], allowNoOrigin: true, allowPlainPin: false, pinRateLimitPerMinute: 20, bodyLimitBytes: 64 * 1024 },
      pinDialog: () => Promise.reject(new T1CError('PIN_DIALOG_UNAVAILABLE')),
      bulkPins: new BulkPins({ lifetimeMs: 0, maxSignatures: 0, now: Date.now }),
      hosts: servedHosts({ scheme: 'http', names: ['localhost'], port: () => 80 }),
      seenPins,
      pkcs11: new Pkcs11LibraryConfig(dir),
      now: Date.now,
      service: { url: 'http://localhost', port: 80 },
    });
    const listing = await app.inject({ method: 'GET', url: '/v3/readers', headers: { host: 'localhost' } });
    rid = (listing.json() as { data: { id: string }[] }).data[0]?.id ?? '';
    assert.notEqual(rid, '');
  });
  after(async () => {
    await app.close();
    await sandbox.close();
    seenPins.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a beid read on a listed reader sends the read alone, no listing before it', async () => {
    sandbox.sent.length = 0;
    const answer = await get(`${BEID}/${rid}/all-data`);
    assert.equal(answer.status, 200);
    assert.deepEqual(sandbox.sent, ['beid.read']);
  });

  it('an emv route on the eID: CARD_UNKNOWN naming the emv module, from the one emv request', async () => {
    sandbox.sent.length = 0;
    const answer = await get(`${EMV}/${rid}/data`);
    assert.equal(answer.status, 400);
    assert.equal(answer.body.code, '602001');
    assert.equal(answer.body.description, 'The card is not handled by the emv module');
    assert.deepEqual(sandbox.sent, ['emv.applications']);
  });

  it('a reader id no listing gave: listed once, refused with READER_UNKNOWN, never sent to the sandbox', async () => {
    sandbox.sent.length = 0;
    const answer = await get(`${BEID}/Virtual-reader-0/biometric`);
    assert.equal(answer.status, 400);
    assert.equal(answer.body.code, '701001');
    assert.deepEqual(sandbox.sent, ['core.listReaders']);
  });

  it('after a sandbox restart the page\'s reader id still reads: listed again and retried once under the new id', async () => {
    const first = sandbox.pid;
    assert.ok(first);
    const restarted = new Promise<void>((resolve) => onStarted.push(resolve));
    process.kill(first, 'SIGKILL');
    await restarted;
    sandbox.sent.length = 0;
    const answer = await get(`${BEID}/${rid}/address`);
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    assert.notEqual(sandbox.pid, first);
    assert.deepEqual(sandbox.sent, ['beid.read', 'core.listReaders', 'beid.read']);
  });
});
