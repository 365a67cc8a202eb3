// Full Belgian eID read through pcscd + vpcd: APDU count and p50/p99 over 50 reads, beside the
// floor: the same APDUs sent raw through PC/SC with no parsing, no T=0 logic, no checks.
// Usage (root, or where unshare works): node --import tsx bench/beid-read/index.ts [reads=50]
import { CardSession, VirtualReaderBackend, type CardConnection, type ReaderBackend } from '@t1c/smartcard';
import { PcscBackend } from '@t1c/smartcard/pcsc';
import { BeidCard, readAll, type AppletVersion } from '@t1c/smartcard/beid';
import { attachToVpcd, BeidVirtualCard, startPcscd } from '@t1c/emulator';
import { ensurePrivateNamespace } from '../../scripts/namespace.mjs';
import { summary, timed } from '../lib/stats.js';
import { fullRead } from '../lib/full-read.js';

ensurePrivateNamespace();
const reads = Number(process.argv[2] ?? 50);

/** The raw commands one full read sends, captured below the session layer. */
async function recordCommands(backend: ReaderBackend, reader: string): Promise<Uint8Array[]> {
  const connection = await backend.connect(reader);
  const commands: Uint8Array[] = [];
  const recording: CardConnection = new Proxy(connection, {
    get(target, property, receiver) {
      if (property === 'transmit') return (c: Uint8Array) => { commands.push(c); return target.transmit(c); };
      const value: unknown = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  try {
    await readAll(BeidCard.open(new CardSession(recording)));
  } finally {
    await connection.disconnect();
  }
  return commands;
}

async function rawReplay(backend: ReaderBackend, reader: string, commands: readonly Uint8Array[]): Promise<void> {
  const connection = await backend.connect(reader);
  try {
    await connection.beginTransaction();
    for (const c of commands) await connection.transmit(c);
    await connection.endTransaction();
  } finally {
    await connection.disconnect();
  }
}

async function measure(label: string, backend: ReaderBackend, reader: string): Promise<void> {
  for (let i = 0; i < 3; i++) await fullRead(backend, reader);
  const times: number[] = [];
  let apdus = 0;
  for (let i = 0; i < reads; i++) times.push(await timed(async () => { apdus = await fullRead(backend, reader); }));
  const commands = await recordCommands(backend, reader);
  const floor: number[] = [];
  for (let i = 0; i < reads; i++) floor.push(await timed(() => rawReplay(backend, reader, commands)));
  console.log(`${label}: ${apdus} APDUs per full read`);
  console.log(`  full read (parse + integrity)  ${summary(times)}`);
  console.log(`  raw PC/SC floor, same APDUs    ${summary(floor)}`);
}

const pcscd = await startPcscd({ readerPairs: 1 });
const cards: Record<AppletVersion, BeidVirtualCard> = {
  '1.7': await BeidVirtualCard.create({ appletVersion: '1.7' }),
  '1.8': await BeidVirtualCard.create({ appletVersion: '1.8' }),
};
const links = await Promise.all(pcscd.readers.slice(0, 2).map((r, i) => attachToVpcd(cards[i === 0 ? '1.7' : '1.8'], { port: r.port })));
const backend = new PcscBackend();
try {
  for (let i = 0; i < 50; i++) {
    const list = await backend.listReaders();
    if (list.filter((r) => r.atr).length === 2) break;
    await backend.waitForChange(list, 200);
  }
  for (const [i, applet] of (['1.7', '1.8'] as const).entries()) {
    await measure(`applet ${applet} via pcscd + vpcd`, backend, pcscd.readers[i]?.name ?? '');
  }
  const virtual = new VirtualReaderBackend();
  virtual.addReader('in-process', cards['1.8']);
  await measure('applet 1.8 in-process (no PC/SC)', virtual, 'in-process');
} finally {
  await backend.close();
  for (const l of links) await l.close();
  await pcscd.stop();
}
