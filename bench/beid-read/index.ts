// Full Belgian eID read through pcscd + vpcd beside the floor, in the same run: the same APDUs
// sent raw through our PC/SC binding (no parsing, no T=0 logic, no checks), and through a minimal
// koffi loop. The virtual cards answer from their own process (a real card is a separate device),
// for the floor and every contender alike. Contenders alternate read by read (the machine is
// shared); medians over rounds. Also prints the CPU this process spends per read.
// Usage (root, or where unshare works): node --import tsx bench/beid-read/index.ts [reads=30] [rounds=5]
import { VirtualReaderBackend, type ReaderBackend } from '@t1c/smartcard';
import { PcscBackend } from '@t1c/smartcard/pcsc';
import type { AppletVersion } from '@t1c/smartcard/beid';
import { BeidVirtualCard, startPcscd } from '@t1c/emulator';
import { startCardHost } from '@t1c/emulator/card-host';
import { ensurePrivateNamespace } from '../../scripts/namespace.mjs';
import { interleaved, median, Rounds, type Contender } from '../lib/stats.js';
import { RawKoffiFloor } from '../lib/raw-koffi.js';
import { fullRead } from '../lib/full-read.js';
import { rawReplay, recordCommands } from '../lib/record-commands.js';

ensurePrivateNamespace();
const reads = Number(process.argv[2] ?? 30);
const roundCount = Number(process.argv[3] ?? 5);
const FLOOR = 'PC/SC floor, same APDUs, our binding';

async function measure(label: string, backend: ReaderBackend, reader: string, raw?: RawKoffiFloor): Promise<void> {
  for (let i = 0; i < 3; i++) await fullRead(backend, reader);
  const commands = await recordCommands(backend, reader);
  const buffers = commands.map((c) => Buffer.from(c));
  const rounds = new Rounds();
  // CPU of this whole process (event loop, PC/SC calls, signature checks) per read: on a small
  // shared machine, CPU the stack adds competes with pcscd and the card for the same cores.
  const cpu = new Map<string, number[]>();
  let apdus = 0;
  const contenders: Contender[] = [
    [FLOOR, () => rawReplay(backend, reader, commands)],
    ...(raw ? [['raw koffi loop (one buffer, no checks)', () => raw.replay(reader, buffers)] as const] : []),
    ['card stack full read (parse + integrity)', async () => { apdus = await fullRead(backend, reader); }],
  ];
  for (let round = 0; round < roundCount; round++) {
    for (const [contender, samples] of await interleaved(contenders, reads)) {
      rounds.record(contender, samples.times);
      cpu.set(contender, [...(cpu.get(contender) ?? []), median(samples.cpu)]);
    }
    rounds.endRound(FLOOR);
  }
  console.log(`${label}: ${apdus} APDUs per full read, ${reads} reads per contender per round, contenders alternating read by read`);
  rounds.print(FLOOR);
  console.log('  CPU of this process per read (all threads; median over rounds of the median read):');
  for (const [contender, values] of cpu) console.log(`    ${contender.padEnd(42)} ${median(values).toFixed(2)} ms`);
}

const pcscd = await startPcscd({ readerPairs: 1 });
const applets: readonly AppletVersion[] = ['1.7', '1.8'];
const host = await startCardHost();
for (const [i, appletVersion] of applets.entries()) await host.insert(pcscd.readers[i]?.port ?? 0, { appletVersion });
const backend = new PcscBackend();
const raw = new RawKoffiFloor();
try {
  for (let i = 0; i < 50; i++) {
    const list = await backend.listReaders();
    if (list.filter((r) => r.atr).length === 2) break;
    await backend.waitForChange(list, 200);
  }
  for (const [i, applet] of applets.entries()) {
    await measure(`applet ${applet} via pcscd + vpcd`, backend, pcscd.readers[i]?.name ?? '', raw);
  }
  // The card stack's own CPU cost: card, reader and stack on this thread, no PC/SC.
  const virtual = new VirtualReaderBackend();
  virtual.addReader('in-process', await BeidVirtualCard.create({ appletVersion: '1.8' }));
  await measure('applet 1.8 in-process (no PC/SC, card on this thread)', virtual, 'in-process');
} finally {
  raw.close();
  await backend.close();
  await host.close();
  await pcscd.stop();
}
