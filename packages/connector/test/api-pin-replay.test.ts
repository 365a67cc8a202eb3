import assert from 'node:assert/strict';
import { constants, createHash, createPublicKey, publicEncrypt } from 'node:crypto';
import { readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { BeidVirtualCard } from '@t1c/emulator';
import { beidPath, encryptPin, encryptPinOaep, PIN, startFixture, type Fixture } from './api-helpers/fixture.js';
import { errorCode, type Answer } from './api-helpers/http.js';
import { tempDir } from './api-helpers/rig.js';

const OAEP = { 'x-t1c-pin-encryption': 'RSA-OAEP-256' };
const SEEN_FILE = 'pin-ciphertexts.bloom';
const MINUTE = 60_000;

/** VERIFY (INS 20) commands the card receives while `work` runs. */
async function verifiesSentDuring(card: BeidVirtualCard | undefined, work: () => Promise<void>): Promise<number> {
  assert.ok(card);
  let count = 0;
  card.faultHook = (command) => {
    if (command[1] === 0x20) count++;
    return undefined;
  };
  try {
    await work();
  } finally {
    card.faultHook = undefined;
  }
  return count;
}

/** Issue 9 item 5: an encrypted PIN is accepted once, across restarts; OAEP PINs also expire. */
describe('PIN ciphertext replay', () => {
  const data = tempDir('t1c-replay-');
  let f: Fixture;
  let rid: string;
  const accepted: { pin: string; headers: Record<string, string> }[] = [];

  before(async () => {
    f = await startFixture(undefined, { dataDir: data.path });
    rid = await f.readerId(0);
  });
  after(async () => {
    await f?.close();
    data.remove();
  });

  const verify = (pin: string, headers: Record<string, string> = {}): Promise<Answer> =>
    f.c.call('POST', beidPath(rid, 'verify-pin'), { body: { pin }, headers });
  const refused = (answer: Answer, code: string, why: string): void => {
    assert.equal(answer.status, 400, `${why}: ${answer.text}`);
    assert.equal(errorCode(answer), code, `${why}: ${answer.text}`);
  };

  it('a captured PKCS#1 ciphertext (official SDK) verifies once; its replay is PIN_REPLAYED and never reaches the card', async () => {
    const captured = encryptPin(f.api.deviceKeyPem, PIN);
    assert.equal((await verify(captured)).status, 200);
    accepted.push({ pin: captured, headers: {} });
    const sent = await verifiesSentDuring(f.rig.cards[0], async () => {
      const replay = await verify(captured);
      refused(replay, '104012', 'replayed on verify-pin');
      assert.match((replay.json as { description: string }).description, /already used/);
      const sign = await f.c.call('POST', beidPath(rid, 'sign'), { body: { algorithm: 'sha256', data: Buffer.alloc(32, 1).toString('base64'), pin: captured } });
      refused(sign, '104012', 'replayed on sign');
    });
    assert.equal(sent, 0, 'no VERIFY reached the card');
  });

  it('a replayed wrong PIN does not use up the card\'s tries', async () => {
    const card = f.rig.cards[0];
    assert.ok(card);
    const wrong = encryptPin(f.api.deviceKeyPem, '000000');
    assert.equal(errorCode(await verify(wrong)), '108003');
    assert.equal(card.pinTriesLeft, 2);
    for (let i = 0; i < 3; i++) refused(await verify(wrong), '104012', `replay ${i + 1}`);
    assert.equal(card.pinTriesLeft, 2, 'the try counter did not move');
    assert.equal((await verify(encryptPin(f.api.deviceKeyPem, PIN))).status, 200);
    assert.equal(card.pinTriesLeft, 3);
  });

  it('our SDK\'s OAEP PIN verifies once, and only while its time stamp is within two minutes', async () => {
    const pem = f.api.deviceKeyPem;
    const sent = await verifiesSentDuring(f.rig.cards[0], async () => {
      refused(await verify(encryptPinOaep(pem, PIN, Date.now() - 10 * MINUTE), OAEP), '104013', 'ten minutes old');
      refused(await verify(encryptPinOaep(pem, PIN, Date.now() + 10 * MINUTE), OAEP), '104013', 'ten minutes ahead');
      const bare = publicEncrypt({ key: pem, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, Buffer.from(PIN)).toString('base64');
      refused(await verify(bare, OAEP), '104010', 'an OAEP PIN without a time stamp');
    });
    assert.equal(sent, 0, 'nothing reached the card');
    const fresh = encryptPinOaep(pem, PIN);
    assert.equal((await verify(fresh, OAEP)).status, 200);
    accepted.push({ pin: fresh, headers: OAEP });
    refused(await verify(fresh, OAEP), '104012', 'replayed OAEP');
  });

  it('five concurrent requests with one ciphertext: exactly one is served', async () => {
    const captured = encryptPin(f.api.deviceKeyPem, PIN);
    const answers = await Promise.all(Array.from({ length: 5 }, () => verify(captured)));
    assert.deepEqual(answers.map((a) => a.status).sort(), [200, 400, 400, 400, 400]);
    assert.equal(answers.filter((a) => errorCode(a) === '104012').length, 4);
  });

  it('jsencrypt\'s short form and the full 256-byte form of one ciphertext are one ciphertext', async () => {
    let full: Buffer;
    do full = publicEncrypt({ key: f.api.deviceKeyPem, padding: constants.RSA_PKCS1_PADDING }, Buffer.from(PIN));
    while (full[0] !== 0);
    assert.equal((await verify(full.subarray(1).toString('base64'))).status, 200);
    refused(await verify(full.toString('base64')), '104012', 'the same value with its leading zero');
  });

  it('the memory is a private file of fixed size next to the device key', () => {
    const stat = statSync(join(data.path, SEEN_FILE));
    assert.equal(stat.mode & 0o777, 0o600);
    assert.equal(stat.size, 72 + 2 ** 20);
  });

  it('a restarted connector (same data directory) still refuses what it accepted before', async () => {
    await f.close();
    f = await startFixture(undefined, { dataDir: data.path });
    rid = await f.readerId(0);
    assert.equal(accepted.length, 2);
    for (const { pin, headers } of accepted) refused(await verify(pin, headers), '104012', 'replay after restart');
    assert.equal((await verify(encryptPin(f.api.deviceKeyPem, PIN))).status, 200, 'a fresh PIN still works');
  });

  it('a new device key starts a new memory (its fingerprint heads the file)', async () => {
    const fingerprint = (): string => readFileSync(join(data.path, SEEN_FILE)).subarray(8, 40).toString('hex');
    const spkiHash = (pem: string): string => createHash('sha256').update(createPublicKey(pem).export({ type: 'spki', format: 'der' })).digest('hex');
    assert.equal(fingerprint(), spkiHash(f.api.deviceKeyPem));
    await f.close();
    rmSync(join(data.path, 'device-key.pem'));
    f = await startFixture(undefined, { dataDir: data.path });
    assert.equal(fingerprint(), spkiHash(f.api.deviceKeyPem));
    assert.equal(readFileSync(join(data.path, SEEN_FILE)).subarray(72).every((b) => b === 0), true, 'no bit set yet');
  });
});
