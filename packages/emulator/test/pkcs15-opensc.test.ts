import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash, verify, X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import type { ReaderStatus } from '@t1c/smartcard/reader';
import { PcscBackend } from '@t1c/smartcard/pcsc';
import { attachToVpcd, BeidVirtualCard, startPcscd, type PcscdHarness, type VpcdLink } from '../src/index.js';

/**
 * OpenSC knows nothing of our emulator: if its PKCS#15 layer and its PKCS#11 module accept the
 * virtual eID's EF(DIR), ODF, TokenInfo, AODF, PrKDF and CDF, the files follow the standard.
 */
const OPENSC_PKCS11 = ['/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so', '/usr/lib/aarch64-linux-gnu/opensc-pkcs11.so']
  .find((p) => {
    try {
      return readFileSync(p).length > 0;
    } catch {
      return false;
    }
  }) ?? '/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so';
const run = promisify(execFile);

async function tool(command: string, args: readonly string[]): Promise<{ stdout: string; stderr: string; code: number }> {
  try {
    const { stdout, stderr } = await run(command, [...args]);
    return { stdout, stderr, code: 0 };
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; code?: number };
    return { stdout: e.stdout ?? '', stderr: e.stderr ?? '', code: typeof e.code === 'number' ? e.code : 1 };
  }
}

/** Waits on PC/SC events until both virtual readers hold a card. */
async function waitForCards(names: readonly string[]): Promise<void> {
  const backend = new PcscBackend();
  try {
    const ready = (readers: ReaderStatus[]) => names.every((n) => readers.some((r) => r.name === n && r.atr !== null));
    let readers = await backend.listReaders();
    for (let i = 0; i < 60 && !ready(readers); i++) readers = await backend.waitForChange(readers, 500);
    assert.ok(ready(readers), 'both virtual cards inserted');
  } finally {
    await backend.close();
  }
}

/** pkcs15-tool -D prints one block per object; this finds the block of a labelled object. */
function objectBlock(dump: string, heading: string): string {
  const start = dump.indexOf(heading);
  assert.ok(start >= 0, `${heading} in\n${dump}`);
  const next = dump.slice(start + heading.length).search(/\n(PIN|Private|Public|X\.509|Data) /);
  return next < 0 ? dump.slice(start) : dump.slice(start, start + heading.length + next);
}

describe('virtual Belgian eID through OpenSC (pkcs15-tool, pkcs11-tool) in a real pcscd', () => {
  const PIN = '4711';
  let pcscd: PcscdHarness;
  let card: BeidVirtualCard;
  let kidsCard: BeidVirtualCard;
  const links: VpcdLink[] = [];
  let dir: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 't1c-pkcs15-'));
    pcscd = await startPcscd();
    card = await BeidVirtualCard.create({ appletVersion: '1.7', pin: PIN });
    kidsCard = await BeidVirtualCard.create({ appletVersion: '1.8', emptyNonRepudiation: true });
    links.push(await attachToVpcd(card, { port: 35963, retryMs: 100 }), await attachToVpcd(kidsCard, { port: 35964, retryMs: 100 }));
    await waitForCards(['Virtual PCD 00 00', 'Virtual PCD 00 01']);
  });

  after(async () => {
    for (const link of links) await link.close();
    await pcscd?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('pkcs15-tool -D finds the PIN, both private keys and the four certificates', async () => {
    const { stdout, code, stderr } = await tool('pkcs15-tool', ['--reader', '0', '-D']);
    assert.equal(code, 0, stderr);
    assert.match(stdout, /PKCS#15 Card \[BELPIC\]/);
    const pin = objectBlock(stdout, 'PIN [Basic PIN]');
    assert.match(pin, /ID\s+: 01/);
    assert.match(pin, /min_len:4, max_len:12, stored_len:8/);
    assert.match(pin, /Pad char\s+: 0xFF/);
    assert.match(pin, /Reference\s+: 1 \(0x01\)/);
    assert.match(pin, /Path\s+: 3f00\n/);
    const auth = objectBlock(stdout, 'Private RSA Key [Authentication]');
    assert.match(auth, /Key ref\s+: 130 \(0x82\)/);
    assert.match(auth, /ModLength\s+: 2048/);
    assert.match(auth, /Auth ID\s+: 01/);
    assert.match(auth, /ID\s+: 02/);
    const sign = objectBlock(stdout, 'Private RSA Key [Signature]');
    assert.match(sign, /Usage\s+: \[0x200\], nonRepudiation/);
    assert.match(sign, /Key ref\s+: 131 \(0x83\)/);
    for (const [label, id, file, authority] of [['Authentication', '02', '5038', 'no'], ['Signature', '03', '5039', 'no'], ['CA', '04', '503a', 'yes'], ['Root', '06', '503b', 'yes']] as const) {
      const block = objectBlock(stdout, `X.509 Certificate [${label}]`);
      assert.match(block, new RegExp(`ID\\s+: ${id}`));
      assert.match(block, new RegExp(`Path\\s+: 3f00df00${file}`));
      assert.match(block, new RegExp(`Authority\\s+: ${authority}`));
    }
  });

  it('pkcs15-tool reads back the card\'s own authentication certificate through the CDF', async () => {
    const out = join(dir, 'auth.pem');
    const { code, stderr } = await tool('pkcs15-tool', ['--reader', '0', '--read-certificate', '02', '-o', out]);
    assert.equal(code, 0, stderr);
    assert.deepEqual(new Uint8Array(new X509Certificate(readFileSync(out)).raw), card.pki.authenticationCertificate);
  });

  it('an applet 1.8 card without a signing certificate: EC keys in the PrKDF, no Signature entry in its CDF', async () => {
    const { stdout, code, stderr } = await tool('pkcs15-tool', ['--reader', '1', '-D']);
    assert.equal(code, 0, stderr);
    assert.match(objectBlock(stdout, 'Private EC Key [Authentication]'), /Key ref\s+: 130 \(0x82\)/);
    assert.match(objectBlock(stdout, 'Private EC Key [Signature]'), /Key ref\s+: 131 \(0x83\)/);
    assert.doesNotMatch(stdout, /X\.509 Certificate \[Signature\]/);
    assert.match(stdout, /X\.509 Certificate \[Authentication\]/);
    assert.match(stdout, /X\.509 Certificate \[Root\]/);
  });

  it('pkcs11-tool --login --sign with the card\'s PIN signs with the authentication key; the signature verifies with the card certificate', async () => {
    const data = join(dir, 'data.txt');
    const signature = join(dir, 'auth.sig');
    writeFileSync(data, 'signed through OpenSC');
    const { code, stderr } = await tool('pkcs11-tool', ['--module', OPENSC_PKCS11, '--slot', '0', '--login', '--pin', PIN, '--sign', '--id', '02', '-m', 'SHA256-RSA-PKCS', '-i', data, '-o', signature]);
    assert.equal(code, 0, stderr);
    const key = new X509Certificate(card.pki.authenticationCertificate).publicKey;
    assert.ok(verify('sha256', readFileSync(data), key, readFileSync(signature)));
    assert.equal(card.pinTriesLeft, 3);
  });

  it('pkcs11-tool with a wrong PIN gets CKR_PIN_INCORRECT and the card counts the try; the right PIN restores it', async () => {
    const data = join(dir, 'data.txt');
    writeFileSync(data, createHash('sha256').update('x').digest());
    const wrong = await tool('pkcs11-tool', ['--module', OPENSC_PKCS11, '--slot', '0', '--login', '--pin', '0000', '--sign', '--id', '02', '-m', 'SHA256-RSA-PKCS', '-i', data, '-o', join(dir, 'none.sig')]);
    assert.notEqual(wrong.code, 0);
    assert.match(wrong.stderr, /CKR_PIN_INCORRECT/);
    assert.equal(card.pinTriesLeft, 2);
    const right = await tool('pkcs11-tool', ['--module', OPENSC_PKCS11, '--slot', '0', '--login', '--pin', PIN, '--list-objects']);
    assert.equal(right.code, 0, right.stderr);
    assert.equal(card.pinTriesLeft, 3);
  });
});
