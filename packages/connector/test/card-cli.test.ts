import assert from 'node:assert/strict';
import { createHash, randomBytes, verify, X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { encodeResponse, fromHex, type VirtualCard } from '@t1c/smartcard';
import { PcscBackend } from '@t1c/smartcard/pcsc';
import { attachToVpcd, BeidVirtualCard, startPcscd, type PcscdHarness, type VpcdLink } from '@t1c/emulator';
import { waitForCard } from './helpers/card-rig.js';
import { runCli } from './helpers/run-cli.js';

/** A card that is no Belgian eID: a bank-card-like ATR that refuses every command. */
const foreignCard: VirtualCard = {
  atr: fromHex('3B6800000073C84013009000'),
  reset: () => undefined,
  process: () => encodeResponse(new Uint8Array(0), 0x6d00),
};

describe('t1c card … through the real pcscd', () => {
  let pcscd: PcscdHarness;
  let card: BeidVirtualCard;
  let link: VpcdLink;
  let other: VpcdLink | undefined;
  let dir: string;
  const reader = 'Virtual PCD 00 00';
  const emptyReader = 'Virtual PCD 00 01';

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 't1c-cli-'));
    pcscd = await startPcscd({ readerPairs: 1 });
    card = await BeidVirtualCard.create({ appletVersion: '1.8' });
    link = await attachToVpcd(card, { port: pcscd.readers[0]?.port ?? 0 });
    const backend = new PcscBackend();
    await waitForCard(backend, reader, true);
    await backend.close();
  });
  after(async () => {
    await other?.close();
    await link.close();
    await pcscd.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('card list prints every reader as JSON with its card and module', async () => {
    const result = await runCli(['card', 'list']);
    assert.equal(result.code, 0, result.stderr);
    const readers = JSON.parse(result.stdout) as { name: string; card: { atr: string; module: string | null } | null; pinpad: boolean }[];
    assert.deepEqual(readers.map((r) => r.name), [reader, emptyReader]);
    assert.equal(readers[0]?.card?.module, 'beid');
    assert.equal(readers[0]?.card?.atr, Buffer.from(card.atr).toString('hex').toUpperCase());
    assert.equal(readers[0]?.pinpad, false);
    assert.equal(readers[1]?.card, null);
  });

  it('card read prints biometric and address in T1C field names, token info, certificates and integrity, and writes the photo', async () => {
    const photo = join(dir, 'photo.jpg');
    const result = await runCli(['card', 'read', '--reader', reader, '--photo', photo]);
    assert.equal(result.code, 0, result.stderr);
    const out = JSON.parse(result.stdout) as Record<string, Record<string, unknown>>;
    const h = card.holder;
    assert.equal(out.biometric?.name, h.surname);
    assert.equal(out.biometric?.firstNames, h.firstNames);
    assert.equal(out.biometric?.nationalNumber, h.nationalNumber);
    assert.equal(out.biometric?.cardDeliveryMunicipality, h.issuingMunicipality);
    assert.equal(out.biometric?.birthDate, h.birthDate);
    assert.equal(out.biometric?.rawData, Buffer.from(card.file('3F00DF014031')).toString('base64'));
    assert.equal(out.address?.streetAndNumber, h.address.streetAndNumber);
    assert.equal(out.address?.zipcode, h.address.zipCode);
    assert.equal((out.tokenInfo?.module as { name: string }).name, 'beid');
    assert.equal((out.certificates?.nonRepudiation as { certificate: string }).certificate, Buffer.from(card.pki.nonRepudiationCertificate).toString('base64'));
    assert.equal(out.integrity?.valid, true);
    assert.deepEqual(readFileSync(photo), Buffer.from(card.file('3F00DF014035')));
  });

  it('card sign signs a SHA-256 digest with the PIN from stdin, verifiable with the signing certificate', async () => {
    const message = randomBytes(64);
    const digest = createHash('sha256').update(message).digest('hex');
    const result = await runCli(['card', 'sign', '--reader', reader, '--digest-sha256', digest], '1234\n');
    assert.equal(result.code, 0, result.stderr);
    const signature = Buffer.from(result.stdout.trim(), 'base64');
    const key = new X509Certificate(card.pki.nonRepudiationCertificate).publicKey;
    assert.ok(verify('sha256', message, { key, dsaEncoding: 'ieee-p1363' }, signature));
  });

  it('card verify-pin takes the PIN from stdin and reports wrong PINs with the tries left', async () => {
    const ok = await runCli(['card', 'verify-pin', '--reader', reader], '1234\n');
    assert.equal(ok.code, 0, ok.stderr);
    assert.deepEqual(JSON.parse(ok.stdout), { verified: true });
    const wrong = await runCli(['card', 'verify-pin', '--reader', reader], '9999\n');
    assert.equal(wrong.code, 2);
    assert.equal(wrong.stderr, 't1c: wrong PIN, 2 tries left\n');
    assert.equal(wrong.stdout, '');
    const reset = await runCli(['card', 'verify-pin', '--reader', reader], '1234');
    assert.equal(reset.code, 0, 'a right PIN resets the counter');
    assert.equal(card.pinTriesLeft, 3);
  });

  const failures: [string, string[], string, RegExp][] = [
    ['a reader without a card', ['card', 'read', '--reader', emptyReader], '', /^t1c: no card: /],
    ['an unknown reader', ['card', 'read', '--reader', 'No Such Reader'], '', /^t1c: no reader named "No Such Reader"$/],
    ['a malformed digest', ['card', 'sign', '--reader', reader, '--digest-sha256', 'abc'], '1234', /^t1c: --digest-sha256 must be 64 hexadecimal characters$/],
    ['a PIN that is not digits', ['card', 'verify-pin', '--reader', reader], '12ab', /^t1c: the PIN must be 4 to 12 digits$/],
  ];
  for (const [name, args, stdin, message] of failures) {
    it(`exits non-zero with one line for ${name}`, async () => {
      const result = await runCli(args, stdin);
      assert.notEqual(result.code, 0);
      assert.equal(result.stdout, '');
      assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
      assert.match(result.stderr.trim(), message);
    });
  }

  it('exits non-zero with one line for a card that is not a Belgian eID', async () => {
    other = await attachToVpcd(foreignCard, { port: pcscd.readers[1]?.port ?? 0 });
    const backend = new PcscBackend();
    await waitForCard(backend, emptyReader, true);
    await backend.close();
    const result = await runCli(['card', 'read', '--reader', emptyReader]);
    assert.equal(result.code, 2);
    assert.equal(result.stderr, 't1c: the card is not a Belgian eID\n');
  });

  it('exits non-zero with one line when the card is removed during the read', async () => {
    const fresh = await BeidVirtualCard.create({ appletVersion: '1.7' });
    let reads = 0;
    fresh.faultHook = (command) => {
      if (command[1] === 0xb0 && ++reads === 4) void link.removeCard();
      return undefined;
    };
    // Swap only once pcscd has seen the old card go, or the CLI could meet either card.
    const backend = new PcscBackend();
    await link.removeCard();
    await waitForCard(backend, reader, false);
    await link.insert(fresh);
    await waitForCard(backend, reader, true);
    await backend.close();
    const result = await runCli(['card', 'read', '--reader', reader]);
    assert.equal(result.code, 2);
    assert.equal(result.stderr, 't1c: the card was removed during the operation; insert it and try again\n');
  });

  it('exits non-zero with one line when the PC/SC service is down', async () => {
    await pcscd.stop();
    const result = await runCli(['card', 'list']);
    assert.equal(result.code, 2);
    assert.equal(result.stderr, 't1c: the PC/SC service is not running (start pcscd)\n');
  });
});
