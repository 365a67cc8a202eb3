// Where the local API's own time goes: p50/p99 of GET /v3/readers and of a cached BEID
// all-data read over HTTPS keep-alive with a JWT (pcscd + vpcd, eID 1.8), the same requests as
// bench/api, optionally with `--cpu-prof` in the API and sandbox processes.
// Usage (root, or where unshare works):
//   node --import tsx bench/api-profile/index.ts [requests=300] [rounds=5] [uncached=20] [profile-dir]
// `uncached` reads per round each follow a card swap (a new chip, so the sandbox's cache misses
// and the whole card is read); only the all-data request itself is timed and counted.
// With a profile dir, the API and sandbox profile the measured requests (cpu-profile.mjs) and
// write .cpuprofile files there on exit; read them
// with `node --import tsx bench/api-profile/summarise.ts <file.cpuprofile>`.
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SPECIMEN_HOLDER } from '@t1c/emulator';
import { ensurePrivateNamespace } from '../../scripts/namespace.mjs';
import { median, percentile, timed } from '../lib/stats.js';
import { swapCard } from '../lib/swap-card.js';
import { childPids, startApiRig } from '../lib/api-rig.js';

ensurePrivateNamespace();
const requests = Number(process.argv[2] ?? 300);
const rounds = Number(process.argv[3] ?? 5);
const uncached = Number(process.argv[4] ?? 20);
const profileDir = process.argv[5] ? resolve(process.argv[5]) : undefined;

if (profileDir) mkdirSync(profileDir, { recursive: true });
// NODE_OPTIONS reaches the sandbox too: it is spawned with the API's environment.
const PRELOAD = fileURLToPath(new URL('./cpu-profile.mjs', import.meta.url));
const env = profileDir
  ? { ...process.env, T1C_CPU_PROFILE_DIR: profileDir, NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import ${PRELOAD}`.trim() }
  : process.env;
const rig = await startApiRig({ maxSockets: 1, env, tmpPrefix: 't1c-bench-api-profile-' });
const { api, get, host, reader } = rig;

try {
  const rid = (JSON.parse((await get('/v3/readers')).body) as { data: { id: string }[] }).data[0]?.id ?? '';
  const paths = { 'GET /v3/readers': '/v3/readers', 'GET beid all-data (cached)': `/v3/modules/beid/apps/token/readers/${rid}/all-data` };
  // Warm-up: JIT, TLS session, the card's first (uncached) read.
  for (const path of Object.values(paths)) for (let i = 0; i < 50; i++) if ((await get(path)).status !== 200) throw new Error(`${path} failed`);
  if (profileDir) {
    const pid = api.pid ?? 0;
    for (const p of [pid, ...childPids(pid)]) process.kill(p, 'SIGUSR2');
    await new Promise((r) => setTimeout(r, 200));
  }
  const apiPid = api.pid ?? 0;
  const sandboxPid = childPids(apiPid)[0] ?? 0;
  // Time on a CPU of every thread (ns, /proc/<pid>/task/*/schedstat): what a request costs
  // whatever the machine's load (Node's thread pool and koffi's threads live as long as the process).
  const cpuNs = (pid: number): number => readdirSync(`/proc/${pid}/task`)
    .reduce((sum, tid) => sum + Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]), 0);
  let chip = 0;
  const p50s = new Map<string, number[]>();
  const p99s = new Map<string, number[]>();
  const cpu = new Map<string, { api: number; sandbox: number }>();
  for (let round = 0; round < rounds; round++) {
    for (const [label, path] of Object.entries(paths)) {
      const times: number[] = [];
      const before = { api: cpuNs(apiPid), sandbox: cpuNs(sandboxPid) };
      for (let i = 0; i < requests; i++) times.push(await timed(() => get(path)));
      const spent = cpu.get(label) ?? { api: 0, sandbox: 0 };
      cpu.set(label, { api: spent.api + cpuNs(apiPid) - before.api, sandbox: spent.sandbox + cpuNs(sandboxPid) - before.sandbox });
      p50s.set(label, [...(p50s.get(label) ?? []), percentile(times, 50)]);
      p99s.set(label, [...(p99s.get(label) ?? []), percentile(times, 99)]);
    }
    if (uncached > 0) {
      const label = 'GET beid all-data (uncached)';
      const times: number[] = [];
      const spent = cpu.get(label) ?? { api: 0, sandbox: 0 };
      for (let i = 0; i < uncached; i++) {
        const chipNumber = `${'CD'.repeat(14)}${(chip++).toString(16).padStart(4, '0')}`;
        await swapCard(host, reader.port, reader.name, { appletVersion: '1.8', holder: { ...SPECIMEN_HOLDER, chipNumber } });
        const id = (JSON.parse((await get('/v3/readers?cardInserted=true')).body) as { data: { id: string }[] }).data[0]?.id ?? '';
        const before = { api: cpuNs(apiPid), sandbox: cpuNs(sandboxPid) };
        let status = 0;
        times.push(await timed(async () => { status = (await get(`/v3/modules/beid/apps/token/readers/${id}/all-data`)).status; }));
        spent.api += cpuNs(apiPid) - before.api;
        spent.sandbox += cpuNs(sandboxPid) - before.sandbox;
        if (status !== 200) throw new Error(`uncached read answered ${status}`);
      }
      cpu.set(label, spent);
      p50s.set(label, [...(p50s.get(label) ?? []), percentile(times, 50)]);
      p99s.set(label, [...(p99s.get(label) ?? []), percentile(times, 99)]);
    }
  }
  console.log(`medians over ${rounds} interleaved rounds of ${requests} requests each, one keep-alive connection; CPU per request (all threads):`);
  for (const [label, values] of p50s) {
    const spent = cpu.get(label) ?? { api: 0, sandbox: 0 };
    const per = (ns: number): string => (ns / 1e6 / (rounds * (values === p50s.get('GET beid all-data (uncached)') ? uncached : requests))).toFixed(2);
    console.log(`  ${label.padEnd(28)} p50 ${median(values).toFixed(2)} ms  p99 ${median(p99s.get(label) ?? []).toFixed(2)} ms  CPU API ${per(spent.api)} ms + sandbox ${per(spent.sandbox)} ms  (round p50s ${values.map((v) => v.toFixed(2)).join(' ')})`);
  }
} finally {
  await rig.close();
}
