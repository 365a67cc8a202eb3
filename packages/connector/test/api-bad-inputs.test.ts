import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { beidPath, encryptPin, ORIGIN, PIN, startFixture, type Fixture } from './api-helpers/fixture.js';
import { client, errorCode, type Answer } from './api-helpers/http.js';

const DIGEST = createHash('sha256').update('x').digest('base64');

describe('bad inputs get a T1C error with the right status, never a 404/401 for card errors', () => {
  let f: Fixture;
  let rid17: string;
  let ridBlocked: string;

  before(async () => {
    f = await startFixture([{ appletVersion: '1.7', pin: PIN }, { appletVersion: '1.8', pin: PIN, pinTriesLeft: 0 }]);
    rid17 = await f.readerId(0);
    ridBlocked = await f.readerId(1);
  });
  after(async () => {
    await f.close();
  });

  const expectError = (answer: Answer, status: number, code: string): void => {
    assert.equal(answer.status, status, answer.text);
    assert.deepEqual(Object.keys(answer.json as object).sort(), ['code', 'description', 'success']);
    assert.equal(errorCode(answer), code, answer.text);
    assert.equal(answer.headers['access-control-allow-origin'], ORIGIN, 'CORS headers on errors too');
  };
  const signBody = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({ algorithm: 'sha256', data: DIGEST, pin: encryptPin(f.api.deviceKeyPem, PIN), ...extra });

  const cases: [string, () => Promise<Answer>, number, string][] = [
    ['malformed JSON', () => f.c.call('POST', beidPath(rid17, 'sign'), { body: '{"algorithm":' }), 400, '106001'],
    ['wrong types', () => f.c.call('POST', beidPath(rid17, 'sign'), { body: { algorithm: 5, data: [] } }), 400, '106001'],
    ['not JSON at all', () => f.c.call('POST', beidPath(rid17, 'sign'), { body: 'pin=1', headers: { 'content-type': 'text/plain' } }), 415, '106007'],
    ['oversize body', () => f.c.call('POST', beidPath(rid17, 'sign'), { body: { algorithm: 'sha256', data: 'A'.repeat(70_000) } }), 413, '106002'],
    ['unknown reader', () => f.c.call('GET', beidPath('0123456789abcdef', 'biometric')), 400, '701001'],
    ['reader id with bad characters', () => f.c.call('GET', beidPath('a%20b', 'biometric')), 400, '106001'],
    ['unknown route', () => f.c.call('GET', '/v3/modules/beid/apps/token/nope'), 404, '112999'],
    ['wrong PIN (tries left)', () => f.c.call('POST', beidPath(rid17, 'verify-pin'), { body: { pin: encryptPin(f.api.deviceKeyPem, '000000') } }), 400, '108003'],
    ['blocked PIN', () => f.c.call('POST', beidPath(ridBlocked, 'verify-pin'), { body: { pin: encryptPin(f.api.deviceKeyPem, PIN) } }), 423, '108004'],
    ['bad base64 digest', () => f.c.call('POST', beidPath(rid17, 'sign'), { body: signBody({ data: 'not*base64!' }) }), 400, '106003'],
    ['digest of wrong length', () => f.c.call('POST', beidPath(rid17, 'sign'), { body: signBody({ data: Buffer.alloc(31).toString('base64') }) }), 400, '106004'],
    ['unknown algorithm', () => f.c.call('POST', beidPath(rid17, 'sign'), { body: signBody({ algorithm: 'md5' }) }), 400, '106005'],
    ['no PIN', () => f.c.call('POST', beidPath(rid17, 'sign'), { body: { algorithm: 'sha256', data: DIGEST } }), 400, '108001'],
    ['plain PIN when not allowed', () => f.c.call('POST', beidPath(rid17, 'verify-pin'), { body: { pin: PIN } }), 400, '104011'],
    ['pin:false from jsencrypt', () => f.c.call('POST', beidPath(rid17, 'verify-pin'), { body: { pin: false } }), 400, '106006'],
    ['undecryptable PIN', () => f.c.call('POST', beidPath(rid17, 'verify-pin'), { body: { pin: Buffer.alloc(256, 7).toString('base64') } }), 400, '104010'],
    ['OAEP header on a PKCS#1 ciphertext', () => f.c.call('POST', beidPath(rid17, 'verify-pin'), { body: { pin: encryptPin(f.api.deviceKeyPem, PIN) }, headers: { 'x-t1c-pin-encryption': 'RSA-OAEP-256' } }), 400, '104010'],
  ];
  for (const [name, run, status, code] of cases) {
    it(`${name} → ${status} ${code}`, async () => expectError(await run(), status, code));
  }

  it('an unknown module or operation under /v3/modules says which, as a 404 (the SDK\'s "functionality not found")', async () => {
    const module = await f.c.call('GET', '/v3/modules/nosuchcard/apps/token/readers/abc/biometric');
    expectError(module, 404, '112999');
    assert.match((module.json as { description: string }).description, /No card module named "nosuchcard"; this connector has beid/);
    const op = await f.c.call('POST', beidPath(rid17, 'format-card'), { body: {} });
    expectError(op, 404, '112999');
    assert.equal((op.json as { description: string }).description, 'The beid module has no operation POST format-card');
    const hostile = await f.c.call('GET', `/v3/modules/${'%3Cscript%3E'.repeat(20)}/x`);
    assert.doesNotMatch((hostile.json as { description: string }).description, /<|%3C/);
  });

  it('malformed arguments never reach the card: wrong PINs in refused bodies leave the tries alone', async () => {
    for (let i = 0; i < 3; i++) {
      expectError(await f.c.call('POST', beidPath(rid17, 'verify-pin'), { body: { pin: encryptPin(f.api.deviceKeyPem, '999999'), timeout: 'soon' } }), 400, '106001');
    }
    assert.equal((await f.c.call('POST', beidPath(rid17, 'verify-pin'), { body: { pin: encryptPin(f.api.deviceKeyPem, PIN) } })).status, 200);
    assert.equal((await f.c.call('GET', beidPath(rid17, 'biometric'))).status, 200, 'the reader is free');
  });

  it('a wrong PIN reports the tries left, then the right PIN resets the counter', async () => {
    const wrong = await f.c.call('POST', beidPath(rid17, 'verify-pin'), { body: { pin: encryptPin(f.api.deviceKeyPem, '111111') } });
    assert.match(String((wrong.json as { description: string }).description), /\d tries left/);
    assert.equal((await f.c.call('POST', beidPath(rid17, 'verify-pin'), { body: { pin: encryptPin(f.api.deviceKeyPem, PIN) } })).status, 200);
  });

  describe('JWT defects → 401 104025', () => {
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    const tokens: [string, () => Promise<string>][] = [
      ['missing', async () => ''],
      ['alg none', async () => `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${Buffer.from(JSON.stringify({ iss: 't1cds-app', aud: 't1c-connector', exp: Math.floor(Date.now() / 1000) + 600 })).toString('base64url')}.`],
      ['expired', () => f.issuer.token({}, { expiresIn: Math.floor(Date.now() / 1000) - 3600 })],
      ['not yet valid', () => f.issuer.token({}, { notBefore: '1h', expiresIn: '2h' })],
      ['wrong issuer', () => f.issuer.token({}, { issuer: 'someone-else' })],
      ['wrong audience', () => f.issuer.token({}, { audience: 'another-api' })],
      ['unknown key', () => f.issuer.token({}, { key: other, kid: 'other' })],
      ['origins claim without this origin', () => f.issuer.token({ origins: ['https://other.example.com'] })],
      ['garbage', async () => 'abc.def'],
    ];
    for (const [name, make] of tokens) {
      it(name, async () => {
        const token = await make();
        const answer = await f.c.call('GET', '/v3/readers', { headers: { authorization: token ? `Bearer ${token}` : '' } });
        expectError(answer, 401, '104025');
      });
    }
    it('a token whose origins claim matches (wildcard) is accepted', async () => {
      const token = await f.issuer.token({ origins: ['https://*.example.org'] });
      assert.equal((await f.c.call('GET', '/v3/readers', { headers: { authorization: `Bearer ${token}` } })).status, 200);
    });
  });

  describe('origins and CORS', () => {
    it('a disallowed origin gets 403 on the request, without CORS headers', async () => {
      const answer = await f.c.call('GET', '/v3/readers', { headers: { origin: 'https://evil.example.com' } });
      assert.equal(answer.status, 403);
      assert.equal(errorCode(answer), '104001');
      assert.equal(answer.headers['access-control-allow-origin'], undefined);
    });
    it('a preflight from a disallowed origin gets 403, no PNA header', async () => {
      const answer = await f.c.call('OPTIONS', '/v3/readers', { headers: { origin: 'https://example.org.evil.com', 'access-control-request-method': 'GET', 'access-control-request-private-network': 'true' } });
      assert.equal(answer.status, 403);
      assert.equal(answer.headers['access-control-allow-private-network'], undefined);
    });
    it('a preflight from an allowed (wildcard) origin echoes it with credentials and PNA', async () => {
      const origin = 'https://portal.example.net';
      const answer = await f.c.call('OPTIONS', beidPath(rid17, 'sign'), { headers: { origin, authorization: '', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,x-csrf-token', 'access-control-request-private-network': 'true' } });
      assert.equal(answer.status, 204);
      assert.equal(answer.headers['access-control-allow-origin'], origin);
      assert.equal(answer.headers['access-control-allow-credentials'], 'true');
      assert.equal(answer.headers['access-control-allow-private-network'], 'true');
      assert.match(String(answer.headers['access-control-allow-headers']), /x-csrf-token/);
    });
    it('no Origin (non-browser client) passes with a JWT; a cross-site no-cors browser request does not', async () => {
      const bare = client(f.base, f.api.caCertPem, { authorization: `Bearer ${f.jwt}` });
      try {
        assert.equal((await bare.call('GET', '/v3/readers')).status, 200);
        assert.equal((await bare.call('GET', '/v3/readers', { headers: { 'sec-fetch-site': 'cross-site' } })).status, 403);
      } finally {
        bare.close();
      }
    });
  });

  it('no card → 400 702001; card removed mid-read → 702002; the reader works again after', async () => {
    await f.rig.eject(0);
    for (let i = 0; i < 50; i++) {
      const list = (await f.c.call('GET', '/v3/readers?cardInserted=false')).json as { data: unknown[] };
      if (list.data.length > 0) break;
      // pcscd notices a pulled card at its next presence poll; give it the time.
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    // Right after vpcd drops the card, pcscd may answer one call with a communication error
    // (713001); the settled state must be "no card".
    let noCard = await f.c.call('GET', beidPath(rid17, 'biometric'));
    for (let i = 0; i < 20 && errorCode(noCard) === '713001'; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      noCard = await f.c.call('GET', beidPath(rid17, 'biometric'));
    }
    expectError(noCard, 400, '702001');
    let reads = 0;
    const template = f.rig.cards[1];
    assert.ok(template);
    const card = await f.rig.replace(0, { appletVersion: '1.7', pin: PIN, holder: { ...template.holder, chipNumber: 'CD'.repeat(16) } });
    card.faultHook = (command) => {
      // Pull the card on the tenth READ BINARY: deterministic, no timers.
      if (command[1] === 0xb0 && ++reads === 10) void f.rig.eject(0);
      return undefined;
    };
    let rid = rid17;
    for (let i = 0; i < 50; i++) {
      const list = (await f.c.call('GET', '/v3/readers?cardInserted=true')).json as { data: { id: string; name: string }[] };
      const found = list.data.find((r) => r.name === f.rig.readerNames[0]);
      if (found) {
        rid = found.id;
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const answer = await f.c.call('GET', beidPath(rid, 'all-data'));
    assert.ok([400, 409, 502].includes(answer.status), answer.text);
    assert.ok(['702002', '702001', '702003'].includes(String(errorCode(answer))), answer.text);
  });
});
