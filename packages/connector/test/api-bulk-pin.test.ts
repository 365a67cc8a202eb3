import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { type ReaderStatus } from '@t1c/smartcard';
import { PcscBackend } from '@t1c/smartcard/pcsc';
import { startApi, type RunningApi } from '../src/index.js';
import { beidPath, encryptPin, ORIGIN, PIN, startFixture, type Fixture } from './api-helpers/fixture.js';
import { client, errorCode, verifiedData, type Answer, type Client } from './api-helpers/http.js';
import { tempDir } from './api-helpers/rig.js';

const DIGEST = createHash('sha256').update('bulk document').digest('base64');
const LIFETIME_S = 300;
const MAX_SIGNATURES = 3;

/**
 * Issue 9 item 2: the PIN kept for `sign?bulk=true` belongs to one application (JWT sub), one
 * Origin (or none) and one card insertion, for a bounded time and number of signatures.
 */
describe('bulk-signing PIN: bound to application, origin and card insertion', () => {
  let f: Fixture;
  let now = Date.now();
  let rid: string;
  let appB: Client;
  let noOrigin: Client;
  let otherOrigin: Client;

  before(async () => {
    f = await startFixture(undefined, { bulkPinMaxSignatures: MAX_SIGNATURES, bulkPinLifetimeSeconds: LIFETIME_S, clock: () => now });
    rid = await f.readerId(0);
    const tokenB = await f.issuer.token({}, { subject: 'application-b' });
    appB = client(f.base, f.api.caCertPem, { authorization: `Bearer ${tokenB}`, origin: ORIGIN });
    noOrigin = client(f.base, f.api.caCertPem, { authorization: `Bearer ${f.jwt}` });
    otherOrigin = client(f.base, f.api.caCertPem, { authorization: `Bearer ${f.jwt}`, origin: 'https://shop.example.net' });
  });
  after(async () => {
    for (const c of [appB, noOrigin, otherOrigin]) c?.close();
    await f?.close();
  });

  const bulkSign = (c: Client, pin?: string): Promise<Answer> =>
    c.call('POST', `${beidPath(rid, 'sign')}?bulk=true`, { body: { algorithm: 'sha256', data: DIGEST, ...(pin ? { pin: encryptPin(f.api.deviceKeyPem, pin) } : {}) } });
  const signed = (answer: Answer): void => {
    assert.equal(answer.status, 200, answer.text);
    assert.equal(typeof (verifiedData(answer, f.api.deviceKeyPem) as { data: unknown }).data, 'string');
  };
  const pinRequired = (answer: Answer, who: string): void => {
    assert.equal(answer.status, 400, `${who}: ${answer.text}`);
    assert.equal(errorCode(answer), '108001', `${who} must not sign without a PIN`);
  };
  const reset = async (): Promise<void> => {
    assert.equal((await f.c.call('GET', '/v3/modules/beid/apps/token/reset-bulk-pin')).status, 200);
  };

  it('another application, a request without Origin and another origin of the same application get PIN_REQUIRED; the owner keeps signing', async () => {
    signed(await bulkSign(f.c, PIN));
    pinRequired(await bulkSign(appB), 'application B on the same origin');
    pinRequired(await bulkSign(noOrigin), 'the same application without an Origin');
    pinRequired(await bulkSign(otherOrigin), 'the same application from another allowed origin');
    signed(await bulkSign(f.c));
    await reset();
  });

  it('a PIN kept by a request without Origin is not usable from a page of the same application', async () => {
    signed(await bulkSign(noOrigin, PIN));
    pinRequired(await bulkSign(f.c), 'a page');
    signed(await bulkSign(noOrigin));
    await reset();
  });

  it(`is used for at most ${MAX_SIGNATURES} signatures, the one that gave it included`, async () => {
    signed(await bulkSign(f.c, PIN));
    for (let i = 1; i < MAX_SIGNATURES; i++) signed(await bulkSign(f.c));
    pinRequired(await bulkSign(f.c), `signature ${MAX_SIGNATURES + 1}`);
  });

  it(`expires ${LIFETIME_S} s after it was given, however little it was used`, async () => {
    signed(await bulkSign(f.c, PIN));
    now += (LIFETIME_S - 1) * 1000;
    signed(await bulkSign(f.c));
    now += 2000;
    pinRequired(await bulkSign(f.c), 'after the lifetime');
  });

  it('a refused signature wipes the caller\'s kept PIN, but another application\'s refusal leaves the owner\'s alone', async () => {
    signed(await bulkSign(f.c, PIN));
    const wrongB = await bulkSign(appB, '000000');
    assert.equal(errorCode(wrongB), '108003', wrongB.text);
    signed(await bulkSign(f.c));
    const wrongA = await bulkSign(f.c, '000000');
    assert.equal(errorCode(wrongA), '108003', wrongA.text);
    pinRequired(await bulkSign(f.c), 'after the owner\'s refused signature');
    // The right PIN puts the card's try counter back.
    signed(await bulkSign(f.c, PIN));
    await reset();
  });

  it('reset-bulk-pin wipes it', async () => {
    signed(await bulkSign(f.c, PIN));
    await reset();
    pinRequired(await bulkSign(f.c), 'after reset');
  });

  it('a card taken out and put back (same ATR, never seen empty by the connector) needs the PIN again', async () => {
    signed(await bulkSign(f.c, PIN));
    const name = f.rig.readerNames[0] ?? '';
    // A second PC/SC client watches the reader, so the connector lists nothing in between:
    // only PC/SC's per-reader event counter can tell the new insertion from the old one.
    const watcher = new PcscBackend();
    try {
      const until = async (present: boolean): Promise<void> => {
        let list: ReaderStatus[] = await watcher.listReaders();
        for (let i = 0; i < 100 && (list.find((r) => r.name === name)?.atr !== null) !== present; i++) list = await watcher.waitForChange(list, 500);
        assert.equal(list.find((r) => r.name === name)?.atr !== null, present, `card ${present ? 'in' : 'out'}`);
      };
      await f.rig.eject(0);
      await until(false);
      await f.rig.replace(0, { appletVersion: '1.7', pin: PIN });
      await until(true);
    } finally {
      await watcher.close();
    }
    pinRequired(await bulkSign(f.c), 'after the card was reinserted');
    signed(await bulkSign(f.c, PIN));
    await reset();
  });
});

describe('bulk-signing PIN without JWT (--no-jwt)', () => {
  let api: RunningApi;
  let dir: { path: string; remove(): void };

  before(async () => {
    dir = tempDir('t1c-bulk-nojwt-');
    api = await startApi({
      port: 0, transport: 'http', jwt: false, allowOrigins: [ORIGIN], dataDir: `${dir.path}/data`, virtualCards: ['1.8'], pcsc: false,
      logLevel: 'silent', allowPlainPin: true, env: { ...process.env, XDG_CONFIG_HOME: `${dir.path}/config` },
    });
  });
  after(async () => {
    await api?.close();
    dir?.remove();
  });

  it('is never kept: without an application an Origin header is all there is, and any local program can send one', async () => {
    const c = client(api.url, undefined, { origin: ORIGIN });
    try {
      const list = verifiedData(await c.call('GET', '/v3/readers'), api.deviceKeyPem) as { id: string }[];
      const rid = list[0]?.id ?? '';
      const path = `${beidPath(rid, 'sign')}?bulk=true`;
      const first = await c.call('POST', path, { body: { algorithm: 'sha256', data: DIGEST, pin: encryptPin(api.deviceKeyPem, '1234') } });
      assert.equal(first.status, 200, first.text);
      const second = await c.call('POST', path, { body: { algorithm: 'sha256', data: DIGEST } });
      assert.equal(errorCode(second), '108001', second.text);
    } finally {
      c.close();
    }
  });
});
