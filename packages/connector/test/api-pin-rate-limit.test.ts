import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startApi, type RunningApi } from '../src/index.js';
import { beidPath, ORIGIN, PIN, startFixture, type Fixture } from './api-helpers/fixture.js';
import { client, errorCode, verifiedData, type Client } from './api-helpers/http.js';
import { tempDir } from './api-helpers/rig.js';

const LIMIT = 3;

/** Issue 9 item 13: one application's PIN attempts do not use up another's, nor another card's. */
describe('PIN rate limit per application and reader', () => {
  let f: Fixture;
  let appB: Client;
  let otherOriginA: Client;
  let rid0: string;
  let rid1: string;

  before(async () => {
    f = await startFixture(undefined, { pinRateLimitPerMinute: LIMIT });
    rid0 = await f.readerId(0);
    rid1 = await f.readerId(1);
    appB = client(f.base, f.api.caCertPem, { authorization: `Bearer ${await f.issuer.token({}, { subject: 'application-b' })}`, origin: ORIGIN });
    otherOriginA = client(f.base, f.api.caCertPem, { authorization: `Bearer ${f.jwt}`, origin: 'https://shop.example.net' });
  });
  after(async () => {
    appB?.close();
    otherOriginA?.close();
    await f?.close();
  });

  // No PIN: the card is not touched, yet the attempt counts.
  const attempt = async (c: Client, rid: string): Promise<string | undefined> => errorCode(await c.call('POST', beidPath(rid, 'verify-pin'), { body: {} }));

  it(`application A's ${LIMIT} attempts on reader 0 leave application B and reader 1 their own budgets`, async () => {
    for (let i = 0; i < LIMIT; i++) assert.equal(await attempt(f.c, rid0), '108001', `attempt ${i + 1} is served`);
    assert.equal(await attempt(f.c, rid0), '104002', 'A is limited on reader 0');
    assert.equal(await attempt(otherOriginA, rid0), '104002', 'the application is the JWT subject, whatever page it runs on');
    assert.equal(await attempt(appB, rid0), '108001', 'B on the same reader is not limited by A');
    assert.equal(await attempt(f.c, rid1), '108001', 'A on another reader has a separate budget');
  });

  it('made-up reader ids share one budget, so they cannot be used to get fresh ones', async () => {
    const appC = client(f.base, f.api.caCertPem, { authorization: `Bearer ${await f.issuer.token({}, { subject: 'application-c' })}`, origin: ORIGIN });
    try {
      for (let i = 0; i < LIMIT; i++) assert.equal(await attempt(appC, `00000000000000a${i}`), '701001', `made-up id ${i + 1} is served`);
      assert.equal(await attempt(appC, '00000000000000ff'), '104002', 'another made-up id is limited');
      assert.equal(await attempt(appC, rid0), '108001', 'a listed reader keeps its own budget');
    } finally {
      appC.close();
    }
  });
});

describe('PIN rate limit without JWT (--no-jwt): per origin and reader', () => {
  const OTHER = 'https://other.example.org';
  let api: RunningApi;
  const dir = tempDir('t1c-rate-nojwt-');

  before(async () => {
    api = await startApi({
      port: 0, transport: 'http', jwt: false, allowOrigins: [ORIGIN, OTHER], dataDir: `${dir.path}/data`, virtualCards: ['1.8'], pcsc: false,
      logLevel: 'silent', pinRateLimitPerMinute: LIMIT, env: { ...process.env, XDG_CONFIG_HOME: `${dir.path}/config` },
    });
  });
  after(async () => {
    await api?.close();
    dir.remove();
  });

  it('one origin\'s attempts leave another origin and non-browser clients their own budgets', async () => {
    const page = client(api.url, undefined, { origin: ORIGIN });
    const other = client(api.url, undefined, { origin: OTHER });
    const local = client(api.url);
    const rid = (verifiedData(await page.call('GET', '/v3/readers'), api.deviceKeyPem) as { id: string }[])[0]?.id ?? '';
    const attempt = async (c: Client): Promise<string | undefined> => errorCode(await c.call('POST', beidPath(rid, 'verify-pin'), { body: {} }));
    for (let i = 0; i < LIMIT; i++) assert.equal(await attempt(page), '108001');
    assert.equal(await attempt(page), '104002', 'the first origin is limited');
    assert.equal(await attempt(other), '108001', 'another origin is not');
    assert.equal(await attempt(local), '108001', 'a client without Origin is not');
  });
});

/** Remote loading passes raw APDUs: a PIN tried that way spends the same kind of budget. */
describe('PIN rate limit on remote loading\'s raw APDUs', () => {
  let f: Fixture;
  let rid: string;

  before(async () => {
    f = await startFixture([{ appletVersion: '1.8', pin: PIN }], { pinRateLimitPerMinute: LIMIT });
    rid = await f.readerId(0);
  });
  after(async () => {
    await f?.close();
  });

  const send = async (op: 'command' | 'commands' | 'apdu', body: object): Promise<string | undefined> =>
    errorCode(await f.c.call('POST', `/v3/modules/remoteloading/apps/hsm/readers/${rid}/${op}`, { body }));
  // The card's own PIN, so no try is spent however often it is sent (format-2 block, beid-card.md).
  const pinBlock = `2${PIN.length.toString(16)}${PIN}`.padEnd(16, 'F').toUpperCase();
  const verify = `0020000108${pinBlock}`;

  it(`VERIFY with a PIN counts (${LIMIT} a minute, then 429 104002) in every APDU form; status-only VERIFY and other commands do not`, async () => {
    assert.equal(await send('command', { command: '00200001' }), undefined, 'a VERIFY without data only asks the tries left');
    assert.equal(await send('command', { command: '00A4080C063F00DF014031' }), undefined);
    assert.equal(await send('command', { command: verify }), undefined, 'attempt 1');
    assert.equal(await send('commands', { commands: ['00A4080C063F00DF014031', verify] }), undefined, 'attempt 2, inside a batch');
    assert.equal(await send('apdu', { apdu: { cla: '00', ins: '20', p1: '00', p2: '01', data: pinBlock } }), undefined, 'attempt 3, by fields');
    assert.equal(await send('command', { command: verify }), '104002', 'the fourth is refused before it reaches the card');
    assert.equal(await send('apdu', { apdu: { cla: '00', ins: '24', p1: '00', p2: '01', data: `${pinBlock}${pinBlock}` } }), '104002', 'CHANGE REFERENCE DATA counts too');
    assert.equal(await send('command', { command: '00200001' }), undefined, 'asking the tries left is still served');
    assert.equal(await send('command', { command: '00A4080C063F00DF014031' }), undefined, 'other commands are still served');
  });
});
