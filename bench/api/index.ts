// Local API under load, over HTTPS (local CA) keep-alive with a JWT and response signing:
// p50/p99 of GET /v3/readers and of a BEID all-data read (pcscd + vpcd, eID 1.8) cached and
// uncached beside the PC/SC floor with the ratio, and beside the same architecture bare (HTTPS,
// a card process, an RSA-signed answer: bench/lib/bare-api); optionally again with cards that
// take card-latency-ms per command, as real cards take time; start-up time
// to the first served request, idle RSS of API + sandbox, and N concurrent keep-alive
// connections on /v3/readers for D seconds (errors, throughput, peak RSS). 127.0.0.1 only.
// Usage (root, or where unshare works): node --import tsx bench/api/index.ts [connections=1000] [seconds=30] [rounds=5] [reads=10] [card-latency-ms=0]
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { SPECIMEN_HOLDER } from '@t1c/emulator';
import { PcscBackend } from '@t1c/smartcard/pcsc';
import { ensurePrivateNamespace } from '../../scripts/namespace.mjs';
import { interleaved, Rounds, summary, timed, type Contender } from '../lib/stats.js';
import { RawKoffiFloor } from '../lib/raw-koffi.js';
import { rawReplay, recordCommands } from '../lib/record-commands.js';
import { swapCard } from '../lib/swap-card.js';
import { fullRead } from '../lib/full-read.js';
import { childPids, freePort, httpsGetter, startApiRig } from '../lib/api-rig.js';

ensurePrivateNamespace();
const connections = Number(process.argv[2] ?? 1000);
const seconds = Number(process.argv[3] ?? 30);
const freshRounds = Number(process.argv[4] ?? 5);
const freshReads = Number(process.argv[5] ?? 10);
const cardLatencyMs = Number(process.argv[6] ?? 0);
const BARE_SERVER = fileURLToPath(new URL('../lib/bare-api/server.ts', import.meta.url));
let stopBare = (): Promise<unknown> => Promise.resolve();

/** VmRSS in MiB of a process and its direct children (the sandbox). */
function rssMiB(pid: number): { api: number; sandbox: number } {
  const rss = (p: number): number => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${p}/status`, 'utf8'))?.[1] ?? 0) / 1024;
  return { api: rss(pid), sandbox: childPids(pid).reduce((sum, c) => sum + rss(c), 0) };
}

const rig = await startApiRig({ maxSockets: connections, tmpPrefix: 't1c-bench-api-' });
const { api, agent, get, host, reader } = rig;

try {
  console.log(`start-up to first served /v3/readers: ${rig.startupMs.toFixed(0)} ms (includes tsx load, key + CA generation)`);
  const apiPid = api.pid ?? 0;
  await new Promise((r) => setTimeout(r, 2000));
  const idle = rssMiB(apiPid);
  console.log(`idle RSS: API ${idle.api.toFixed(1)} MiB, sandbox ${idle.sandbox.toFixed(1)} MiB`);

  const rid = (JSON.parse((await get('/v3/readers')).body) as { data: { id: string }[] }).data[0]?.id ?? '';
  const readers: number[] = [];
  for (let i = 0; i < 500; i++) readers.push(await timed(() => get('/v3/readers')));
  console.log(`GET /v3/readers           ${summary(readers)}`);
  const reads: number[] = [];
  for (let i = 0; i < 100; i++) reads.push(await timed(() => get(`/v3/modules/beid/apps/token/readers/${rid}/all-data`)));
  console.log(`GET beid all-data (cached) ${summary(reads)}`);
  // Uncached API read beside the floor in the same run, contenders alternating read by read
  // (the machine is shared): a new chip each time defeats the per-card cache, so the whole card
  // is read through the sandbox; then the card-stack read and the same APDUs over PC/SC run
  // from this process against that same card.
  const backend = new PcscBackend();
  const raw = new RawKoffiFloor();
  const commands = await recordCommands(backend, reader.name);
  const buffers = commands.map((c) => Buffer.from(c));
  const FLOOR = 'PC/SC floor, same APDUs, our binding';
  const API = 'GET beid all-data, uncached (new chip)';
  const BARE = 'bare HTTPS + card process + RSA signature';
  // The same architecture with nothing of ours around it: what TLS, the process boundary and
  // the response signature alone cost on this machine (bench/lib/bare-api).
  const barePort = await freePort();
  const bare = spawn(process.execPath, ['--import', 'tsx', BARE_SERVER, String(barePort), rig.tls.key, rig.tls.cert, reader.name], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  stopBare = () => { bare.kill('SIGTERM'); return new Promise((r) => bare.once('exit', r)); };
  await new Promise((r) => bare.once('message', r));
  const bareGet = httpsGetter(agent, barePort);
  let id = '';
  const contenders: Contender[] = [
    [FLOOR, () => rawReplay(backend, reader.name, commands)],
    ['raw koffi loop (one buffer, no checks)', () => raw.replay(reader.name, buffers)],
    ['card stack full read (no API)', () => fullRead(backend, reader.name)],
    [BARE, async () => {
      const { status } = await bareGet('/');
      if (status !== 200) throw new Error(`bare architecture answered ${status}`);
    }],
    [API, async () => {
      const { status } = await get(`/v3/modules/beid/apps/token/readers/${id}/all-data`);
      if (status !== 200) throw new Error(`full read answered ${status}`);
    }],
  ];
  let chip = 0;
  const freshRead = async (latencyMs: number): Promise<void> => {
    const rounds = new Rounds();
    for (let round = 0; round < freshRounds; round++) {
      const times = new Map<string, number[]>();
      for (let i = 0; i < freshReads; i++) {
        // Every contender reads each new chip once, the API among them and in the same rotation:
        // whichever runs first after an insertion pays for it, and that is each of them in turn.
        await swapCard(host, reader.port, reader.name, { appletVersion: '1.8', latencyMs, holder: { ...SPECIMEN_HOLDER, chipNumber: `${'AB'.repeat(14)}${(chip++).toString(16).padStart(4, '0')}` } });
        const list = JSON.parse((await get('/v3/readers?cardInserted=true')).body) as { data: { id: string }[] };
        id = list.data[0]?.id ?? '';
        for (const [label, samples] of await interleaved(contenders, 1, chip)) times.set(label, [...(times.get(label) ?? []), ...samples.times]);
      }
      for (const [label, samples] of [...times].sort(([a], [b]) => Number(b === FLOOR) - Number(a === FLOOR))) rounds.record(label, samples);
      rounds.endRound(FLOOR);
    }
    console.log(`full read, ${commands.length} APDUs, ${freshReads} reads per contender per round, the card answering each command ${latencyMs > 0 ? `after ${latencyMs} ms` : 'at once'}:`);
    rounds.print(FLOOR);
  };
  await freshRead(0);
  // A real card takes milliseconds per command (its own work, and the bytes on the contact
  // wire at the speed its ATR allows); the cost we add per read stays the same.
  if (cardLatencyMs > 0) await freshRead(cardLatencyMs);
  raw.close();
  await backend.close();

  let done = 0;
  let errors = 0;
  let peak = idle.api + idle.sandbox;
  const until = Date.now() + seconds * 1000;
  const sampler = setInterval(() => {
    const r = rssMiB(apiPid);
    peak = Math.max(peak, r.api + r.sandbox);
  }, 250);
  await Promise.all(Array.from({ length: connections }, async () => {
    while (Date.now() < until) {
      const r = await get('/v3/readers').catch(() => ({ status: 0, body: '' }));
      if (r.status === 200) done++;
      else errors++;
    }
  }));
  clearInterval(sampler);
  console.log(`${connections} keep-alive connections × ${seconds} s on /v3/readers: ${done} ok, ${errors} errors, ${(done / seconds).toFixed(0)} req/s, peak RSS API+sandbox ${peak.toFixed(1)} MiB`);
} finally {
  await stopBare();
  await rig.close();
}
