import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createSoftHsmToken, type SoftHsmToken } from '@t1c/emulator/softhsm';
import { encryptPinOaep, PIN, startFixture, type Fixture } from './api-helpers/fixture.js';
import { errorCode, verifiedData } from './api-helpers/http.js';

const PREFIX = '/v3/modules/pkcs11/apps/token';
const HSM_PIN = '5823';
const LIMIT = 3;

type Reader = { id: string; card?: { description: string[] } };

/** Two SoftHSM2 tokens behind one library: PIN tries are counted per slot, as per card reader. */
describe('pkcs11: the PIN rate limit counts per slot', () => {
  let f: Fixture;
  let first: SoftHsmToken;
  let second: SoftHsmToken;
  let a = '';
  let b = '';
  const verifyPin = async (slot: string, digits: string): Promise<string> => {
    const answer = await f.c.call('POST', `${PREFIX}/readers/${slot}/verify-pin`, {
      body: { pin: encryptPinOaep(f.api.deviceKeyPem, digits) }, headers: { 'x-t1c-pin-encryption': 'RSA-OAEP-256' },
    });
    return answer.status === 200 ? 'ok' : errorCode(answer) ?? `HTTP ${answer.status}`;
  };

  before(async () => {
    first = await createSoftHsmToken({ label: 'first-token', pin: HSM_PIN });
    second = await createSoftHsmToken({ label: 'second-token', pin: HSM_PIN, beside: first });
    // The sandbox inherits the environment: SoftHSM reads SOFTHSM2_CONF in C_Initialize.
    process.env.SOFTHSM2_CONF = first.env.SOFTHSM2_CONF;
    f = await startFixture([{ appletVersion: '1.7', pin: PIN }], { pinRateLimitPerMinute: LIMIT });
    assert.equal((await f.c.call('POST', `${PREFIX}/config`, { body: { linux: first.library } })).status, 200);
    const readers = verifiedData(await f.c.call('GET', `${PREFIX}/readers?tokenPresent=true`), f.api.deviceKeyPem) as Reader[];
    a = readers.find((r) => r.card?.description[0] === 'first-token')?.id ?? '';
    b = readers.find((r) => r.card?.description[0] === 'second-token')?.id ?? '';
    assert.ok(a !== '' && b !== '' && a !== b, JSON.stringify(readers));
  });

  after(async () => {
    await f?.close();
    second?.remove();
    first?.remove();
  });

  it(`${LIMIT} wrong PINs on one token: that slot is refused (429 104002), the other token's PIN still verifies; a made-up slot does not get a bucket of its own`, async () => {
    for (let i = 0; i < LIMIT; i++) assert.equal(await verifyPin(a, '0000'), '108003', `wrong PIN ${i + 1} reaches the token`);
    assert.equal(await verifyPin(a, HSM_PIN), '104002', 'the first token is out of tries for this minute');
    assert.equal(await verifyPin(b, HSM_PIN), 'ok', 'the second token has its own tries');
    // Unlisted slot ids share one bucket: the first LIMIT get "unknown reader", then 429.
    for (let i = 0; i < LIMIT; i++) assert.equal(await verifyPin(String(900 + i), HSM_PIN), '701001');
    assert.equal(await verifyPin('999', HSM_PIN), '104002');
  });
});
