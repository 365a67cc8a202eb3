import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import { CardSession, command, toHex, type ReaderBackend, type ReaderStatus } from '@t1c/smartcard';
import { PcscBackend } from '@t1c/smartcard/pcsc';
import { BEID_ATR_1_8 } from '@t1c/smartcard/beid';
import { attachToVpcd, BeidVirtualCard, startPcscd, type PcscdHarness, type VpcdLink } from '../src/index.js';

/** Waits on PC/SC events (not on a clock) until `check` holds for the reader list. */
async function waitForReaders(backend: ReaderBackend, check: (readers: ReaderStatus[]) => boolean, what: string): Promise<ReaderStatus[]> {
  let readers = await backend.listReaders();
  for (let i = 0; i < 60 && !check(readers); i++) readers = await backend.waitForChange(readers, 500);
  assert.ok(check(readers), `${what}: ${JSON.stringify(readers.map((r) => [r.name, r.atr ? toHex(r.atr) : null]))}`);
  return readers;
}

const withCard = (name: string) => (readers: ReaderStatus[]): boolean => readers.some((r) => r.name === name && r.atr !== null);
const withoutCard = (name: string) => (readers: ReaderStatus[]): boolean => readers.some((r) => r.name === name && r.atr === null);

describe('BEID card through pcscd and vpcd', () => {
  let pcscd: PcscdHarness;
  let backend: PcscBackend;
  let card: BeidVirtualCard;
  let link: VpcdLink | undefined;

  before(async () => {
    pcscd = await startPcscd();
    backend = new PcscBackend();
    card = await BeidVirtualCard.create({ appletVersion: '1.8' });
  });

  after(async () => {
    await link?.close();
    await backend?.close();
    await pcscd?.stop();
  });

  test('pcscd lists both vpcd readers of the first pair, empty', async () => {
    assert.deepEqual(pcscd.readers.map((r) => [r.name, r.port]), [['Virtual PCD 00 00', 35963], ['Virtual PCD 00 01', 35964]]);
    await waitForReaders(backend, (rs) => withoutCard('Virtual PCD 00 00')(rs) && withoutCard('Virtual PCD 00 01')(rs), 'two empty readers');
  });

  test('an attached card shows its ATR and answers GET CARD DATA', async () => {
    link = await attachToVpcd(card, { port: 35963, retryMs: 100 });
    const readers = await waitForReaders(backend, withCard('Virtual PCD 00 00'), 'card inserted');
    const reader = readers.find((r) => r.name === 'Virtual PCD 00 00');
    assert.equal(reader?.atr ? toHex(reader.atr) : null, BEID_ATR_1_8);
    const connection = await backend.connect('Virtual PCD 00 00');
    try {
      const session = new CardSession(connection);
      const answer = await session.transmit(command(0x80, 0xe4, 0x00, 0x00, new Uint8Array(0), 0x1c));
      assert.equal(answer.sw, 0x9000);
      assert.equal(toHex(answer.data.subarray(0, 16)), card.holder.chipNumber.toUpperCase());
      const signature = await session.transmit(command(0x00, 0x88, 0x02, 0x81, Uint8Array.of(0x94, 0x30, ...new Uint8Array(48))));
      assert.equal(signature.sw, 0x9000);
      assert.equal(signature.data.length, 96);
    } finally {
      await connection.disconnect();
    }
  });

  test('removing the card empties the reader and inserting it again works', async () => {
    assert.ok(link);
    await link.removeCard();
    await waitForReaders(backend, withoutCard('Virtual PCD 00 00'), 'card removed');
    await link.insert(card);
    await waitForReaders(backend, withCard('Virtual PCD 00 00'), 'card reinserted');
    const connection = await backend.connect('Virtual PCD 00 00');
    const answer = await new CardSession(connection).transmit(command(0x80, 0xe4, 0x00, 0x01, new Uint8Array(0), 0x1f));
    await connection.disconnect();
    assert.equal(answer.sw, 0x9000);
    assert.equal(answer.data[21], 0x18);
  });

  test('addReaders hot-plugs a second pair that PC/SC reports as new readers', async () => {
    const known = await backend.listReaders();
    const added = await pcscd.addReaders();
    assert.deepEqual(added.map((r) => [r.name, r.port]), [['Second VPCD 00 00', 40000], ['Second VPCD 00 01', 40001]]);
    if (pcscd.restarts > 0) {
      // A restarted pcscd invalidates PcscBackend's contexts without it noticing (reported), so use a fresh one.
      await backend.close();
      backend = new PcscBackend();
    }
    const seen = await backend.waitForChange(known, 10_000);
    assert.ok(seen.length > known.length, `waitForChange returned ${seen.map((r) => r.name).join(', ')}`);
    await waitForReaders(backend, withoutCard('Second VPCD 00 00'), 'hot-plugged reader');
    // Debian's pcscd ignores SIGUSR1 for serial readers and gets restarted; the first card's link reconnects.
    await waitForReaders(backend, withCard('Virtual PCD 00 00'), 'first card back after the hot-plug');
    const second = await attachToVpcd(await BeidVirtualCard.create({ appletVersion: '1.7' }), { port: 40000 });
    try {
      await waitForReaders(backend, withCard('Second VPCD 00 00'), 'card in the hot-plugged reader');
    } finally {
      await second.close();
    }
  });
});

/**
 * `opensc-tool -l` as a separate client (libpcsclite reads PCSCLITE_CSOCK_NAME once per process):
 * [reader, has a card]. Asynchronous: the card it may touch answers from this process's event loop.
 */
async function readersAt(socket: string): Promise<[string, boolean][]> {
  const { stdout: out } = await promisify(execFile)('opensc-tool', ['-l'], { env: { ...process.env, PCSCLITE_CSOCK_NAME: socket }, encoding: 'utf8', timeout: 20_000 });
  return [...out.matchAll(/^\d+\s+(Yes|No)\s+.*?(\S.*\S)\s*$/gm)].map((m) => [m[2] ?? '', m[1] === 'Yes']);
}

describe('pcscds side by side (socketDir): one PC/SC per user, as a terminal server gives each session', () => {
  const dirs: string[] = [];
  const harnesses: PcscdHarness[] = [];
  let link: VpcdLink | undefined;

  const socketDir = (): string => {
    const dir = mkdtempSync('/run/t1c-pcscd-test-');
    dirs.push(dir);
    return dir;
  };

  after(async () => {
    await link?.close();
    for (const h of harnesses) await h.stop();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  test('each pcscd has its own socket and readers; a client sees only the one its PCSCLITE_CSOCK_NAME names', async () => {
    const [dirA, dirB] = [socketDir(), socketDir()];
    const a = await startPcscd({ socketDir: dirA, firstPair: 2 });
    harnesses.push(a);
    const b = await startPcscd({ socketDir: dirB, firstPair: 3 });
    harnesses.push(b);
    assert.equal(a.socket, join(dirA, 'pcscd.comm'));
    assert.deepEqual(a.readers.map((r) => [r.name, r.port]), [['Third VPCD 00 00', 40002], ['Third VPCD 00 01', 40003]]);
    assert.deepEqual(b.readers.map((r) => [r.name, r.port]), [['Fourth VPCD 00 00', 40004], ['Fourth VPCD 00 01', 40005]]);
    assert.notEqual(a.pid, b.pid);
    assert.ok(!existsSync('/run/pcscd/pcscd.comm'), 'neither took the default socket');
    link = await attachToVpcd(await BeidVirtualCard.create({ appletVersion: '1.8' }), { port: 40002 });
    let seen = await readersAt(a.socket);
    for (let i = 0; i < 50 && !seen.some(([, card]) => card); i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      seen = await readersAt(a.socket);
    }
    assert.deepEqual(seen, [['Third VPCD 00 00', true], ['Third VPCD 00 01', false]]);
    assert.deepEqual(await readersAt(b.socket), [['Fourth VPCD 00 00', false], ['Fourth VPCD 00 01', false]]);
  });

  test('a second pcscd on a socketDir in use is refused; the directory keeps its mode; stop() takes the socket away', async () => {
    const dir = socketDir();
    chmodSync(dir, 0o700);
    const first = await startPcscd({ socketDir: dir, firstPair: 4 });
    harnesses.push(first);
    assert.equal(statSync(dir).mode & 0o777, 0o700, 'pcscd would have made it 0755');
    await assert.rejects(startPcscd({ socketDir: dir, firstPair: 5 }), new RegExp(`another pcscd \\(pid ${first.pid}\\) owns ${dir}/pcscd\\.comm`));
    await first.stop();
    assert.deepEqual(readdirSync(dir), []);
  });

  test('bad options are refused before anything starts', async () => {
    const dir = socketDir();
    await assert.rejects(startPcscd({ socketDir: dir, firstPair: 8 }), /firstPair must be 0\.\.7/);
    await assert.rejects(startPcscd({ socketDir: dir, firstPair: -1 }), /firstPair must be 0\.\.7/);
    await assert.rejects(startPcscd({ socketDir: dir, firstPair: 1.5 }), /firstPair must be 0\.\.7/);
    await assert.rejects(startPcscd({ socketDir: dir, firstPair: 7, readerPairs: 2 }), /readerPairs must be 1\.\.1/);
    await assert.rejects(startPcscd({ socketDir: join(dir, 'missing') }), /socketDir .*missing does not exist/);
    assert.deepEqual(readdirSync(dir), []);
  });
});
