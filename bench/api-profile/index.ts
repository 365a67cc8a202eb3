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
import { spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:https';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SignJWT } from 'jose';
import { APPLICATION_TOKEN_TYPE } from '@t1c/ds/client';
import { SPECIMEN_HOLDER, startPcscd } from '@t1c/emulator';
import { startCardHost } from '@t1c/emulator/card-host';
import { ensurePrivateNamespace } from '../../scripts/namespace.mjs';
import { median, percentile, timed } from '../lib/stats.js';
import { swapCard } from '../lib/swap-card.js';

ensurePrivateNamespace();
const requests = Number(process.argv[2] ?? 300);
const rounds = Number(process.argv[3] ?? 5);
const uncached = Number(process.argv[4] ?? 20);
const profileDir = process.argv[5] ? resolve(process.argv[5]) : undefined;
const BIN = fileURLToPath(new URL('../../packages/connector/bin/t1c.js', import.meta.url));

const freePort = (): Promise<number> => new Promise((done) => {
  const s = createServer().listen(0, '127.0.0.1', () => {
    const { port } = s.address() as AddressInfo;
    s.close(() => done(port));
  });
});

const dir = mkdtempSync(join(tmpdir(), 't1c-bench-api-profile-'));
const pcscd = await startPcscd({ readerPairs: 1 });
const reader = pcscd.readers[0];
if (!reader) throw new Error('no vpcd reader');
// The card answers from its own process, as a real card does (bench/api does the same).
const host = await startCardHost();
await host.insert(reader.port, { appletVersion: '1.8' });
const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
writeFileSync(join(dir, 'jwt.pem'), publicKey.export({ type: 'spki', format: 'pem' }));
const jwt = await new SignJWT({}).setProtectedHeader({ alg: 'RS256', typ: APPLICATION_TOKEN_TYPE }).setIssuer('bench').setIssuedAt().setExpirationTime('2h').sign(privateKey);
const port = await freePort();
if (profileDir) mkdirSync(profileDir, { recursive: true });
// NODE_OPTIONS reaches the sandbox too: it is spawned with the API's environment.
const PRELOAD = fileURLToPath(new URL('./cpu-profile.mjs', import.meta.url));
const env = profileDir
  ? { ...process.env, T1C_CPU_PROFILE_DIR: profileDir, NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import ${PRELOAD}`.trim() }
  : process.env;
const api = spawn(process.execPath, [BIN, 'api', '--port', String(port), '--local-ca', '--data-dir', join(dir, 'data'),
  '--jwt-public-key', join(dir, 'jwt.pem'), '--jwt-issuer', 'bench', '--log-level', 'warn'], { stdio: ['ignore', 'ignore', 'inherit'], env });
const agent = new Agent({ keepAlive: true, maxSockets: 1, rejectUnauthorized: false });
const get = (path: string): Promise<{ status: number; body: string }> => new Promise((done, fail) => {
  const req = request({ host: '127.0.0.1', port, path, agent, headers: { authorization: `Bearer ${jwt}` } }, (res) => {
    let body = '';
    res.setEncoding('utf8').on('data', (c: string) => (body += c)).on('end', () => done({ status: res.statusCode ?? 0, body }));
  });
  req.on('error', fail).end();
});

try {
  for (let tries = 0; ; tries++) {
    if (await get('/v3/readers').then((r) => r.status === 200, () => false)) break;
    if (api.exitCode !== null || tries > 1500) throw new Error('the API did not start');
    await new Promise((r) => setTimeout(r, 20));
  }
  const rid = (JSON.parse((await get('/v3/readers')).body) as { data: { id: string }[] }).data[0]?.id ?? '';
  const paths = { 'GET /v3/readers': '/v3/readers', 'GET beid all-data (cached)': `/v3/modules/beid/apps/token/readers/${rid}/all-data` };
  // Warm-up: JIT, TLS session, the card's first (uncached) read.
  for (const path of Object.values(paths)) for (let i = 0; i < 50; i++) if ((await get(path)).status !== 200) throw new Error(`${path} failed`);
  if (profileDir) {
    const pid = api.pid ?? 0;
    const sandbox = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
    for (const p of [pid, ...sandbox]) process.kill(p, 'SIGUSR2');
    await new Promise((r) => setTimeout(r, 200));
  }
  const apiPid = api.pid ?? 0;
  const sandboxPid = Number(readFileSync(`/proc/${apiPid}/task/${apiPid}/children`, 'utf8').trim().split(/\s+/)[0]);
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
  agent.destroy();
  api.kill('SIGTERM');
  await new Promise((r) => api.once('exit', r));
  await host.close();
  await pcscd.stop();
  rmSync(dir, { recursive: true, force: true });
}
