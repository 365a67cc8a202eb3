import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { CardSession, toHex, type ReaderBackend, type ReaderStatus } from '@t1c/smartcard';
import { PcscBackend } from '@t1c/smartcard/pcsc';
import { BEID_ATR_1_7, BEID_ATR_1_8, BeidCard, readAll, type BeidReadout } from '@t1c/smartcard/beid';
import { SPECIMEN_HOLDER, startPcscd, type PcscdHarness } from '../src/index.js';
import { startCardHost, type CardHost } from '../src/testing/card-host.js';

async function waitForReader(backend: ReaderBackend, name: string, atr: string | null): Promise<void> {
  let readers: ReaderStatus[] = await backend.listReaders();
  const seen = (rs: ReaderStatus[]): boolean => rs.some((r) => r.name === name && (r.atr ? toHex(r.atr) : null) === atr);
  for (let i = 0; i < 60 && !seen(readers); i++) readers = await backend.waitForChange(readers, 500);
  assert.ok(seen(readers), `${name} should show ${atr ?? 'no card'}: ${JSON.stringify(readers.map((r) => [r.name, r.atr ? toHex(r.atr) : null]))}`);
}

async function read(backend: ReaderBackend, name: string): Promise<BeidReadout> {
  const connection = await backend.connect(name);
  try {
    return await readAll(BeidCard.open(new CardSession(connection)));
  } finally {
    await connection.disconnect();
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const chip = (n: number): string => `${'CD'.repeat(14)}${n.toString(16).padStart(4, '0')}`;

describe('card host: virtual eIDs served to vpcd from their own process', () => {
  let pcscd: PcscdHarness;
  let backend: PcscBackend;
  let host: CardHost;
  let first = { name: '', port: 0 };
  let second = { name: '', port: 0 };

  before(async () => {
    pcscd = await startPcscd();
    backend = new PcscBackend();
    host = await startCardHost();
    first = pcscd.readers[0] ?? first;
    second = pcscd.readers[1] ?? second;
  });

  after(async () => {
    await host?.close();
    await backend?.close();
    await pcscd?.stop();
  });

  test('the card process is another process than the reader', () => {
    assert.ok(host.pid > 0 && host.pid !== process.pid);
    assert.ok(alive(host.pid));
  });

  test('cards of both applets answer a full read through pcscd with valid integrity', async () => {
    await host.insert(first.port, { appletVersion: '1.7', holder: { ...SPECIMEN_HOLDER, chipNumber: chip(1) } });
    await host.insert(second.port, { appletVersion: '1.8', holder: { ...SPECIMEN_HOLDER, chipNumber: chip(2) } });
    await waitForReader(backend, first.name, BEID_ATR_1_7);
    await waitForReader(backend, second.name, BEID_ATR_1_8);
    const old = await read(backend, first.name);
    const current = await read(backend, second.name);
    assert.equal(old.applet, '1.7');
    assert.equal(current.applet, '1.8');
    assert.equal(old.identity.chipNumber, chip(1).toUpperCase());
    assert.equal(current.identity.chipNumber, chip(2).toUpperCase());
    assert.ok(old.integrity.valid, JSON.stringify(old.integrity));
    assert.ok(current.integrity.valid, JSON.stringify(current.integrity));
  });

  test('a swapped card is a new chip under the same specimen root and RRN certificate, with its own holder certificates', async () => {
    const before = await read(backend, second.name);
    await host.remove(second.port);
    await waitForReader(backend, second.name, null);
    await host.insert(second.port, { appletVersion: '1.8', holder: { ...SPECIMEN_HOLDER, chipNumber: chip(3) } });
    await waitForReader(backend, second.name, BEID_ATR_1_8);
    const after = await read(backend, second.name);
    assert.equal(after.identity.chipNumber, chip(3).toUpperCase());
    assert.deepEqual(after.certificates.root, before.certificates.root);
    assert.deepEqual(after.certificates.rrn, before.certificates.rrn);
    assert.deepEqual(after.certificates.ca, before.certificates.ca);
    assert.notDeepEqual(after.certificates.authentication, before.certificates.authentication);
    assert.ok(after.integrity.valid);
  });

  test('bad requests are refused with a clear error and leave the host serving', async () => {
    await assert.rejects(host.insert(0, { appletVersion: '1.8' }), /card host: bad card host request/);
    await assert.rejects(host.insert(first.port, { appletVersion: '1.8', holder: { nationalNumber: '12345678901' } }), /card host: holder data: nationalNumber fails the mod-97 check/);
    await assert.rejects(host.insert(first.port, { appletVersion: '1.8', pin: '12' }), /card host: pin must be 4 to 12 digits/);
    await assert.rejects(host.insert(1, { appletVersion: '1.8' }), /card host: cannot reach vpcd/);
    // The card that was there before the refused requests still answers.
    await waitForReader(backend, first.name, BEID_ATR_1_7);
    assert.equal((await read(backend, first.name)).identity.chipNumber, chip(1).toUpperCase());
  });

  test('remove empties the reader; removing from an empty reader is harmless', async () => {
    await host.remove(first.port);
    await waitForReader(backend, first.name, null);
    await host.remove(first.port);
    await host.remove(45000);
  });

  test('close takes every card out and ends the card process; the host then refuses work', async () => {
    const pid = host.pid;
    await host.close();
    assert.equal(alive(pid), false);
    await waitForReader(backend, second.name, null);
    await assert.rejects(host.insert(first.port), /the card host is closed/);
    await host.close();
  });
});
