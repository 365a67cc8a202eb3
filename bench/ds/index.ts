// DS benchmarks: application tokens per second (embedded database and PostgreSQL) and
// signed device syncs per second (PostgreSQL), over loopback keep-alive HTTP.
// Run from the repository root as root: node --import tsx bench/ds/index.ts
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DsDeviceClient, generateDeviceKey, signEnvelope, DEVICE_PATHS, newCounterBatchId } from '../../packages/ds/src/index.js';
import { PostgresServer } from '../../packages/ds/test/helpers/postgres.js';
import { type LoadResult, runLoad } from './load.js';

const SERVER = fileURLToPath(new URL('./server.ts', import.meta.url));
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const MAX_MS = Number(process.env.BENCH_SECONDS ?? 10) * 1000;

async function startServer(dataDir: string, databaseUrl: string): Promise<{ child: ChildProcess; url: string; token: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', SERVER, dataDir, databaseUrl], { stdio: ['ignore', 'pipe', 'inherit'] });
  const line = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (c: Buffer) => { out += c.toString(); if (out.includes('\n')) resolve(out.split('\n')[0] ?? ''); });
    child.once('exit', (code) => reject(new Error(`bench server exited ${code}`)));
  });
  const parsed = JSON.parse(line) as { url: string; adminToken: string };
  return { child, url: parsed.url, token: parsed.adminToken };
}

async function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

async function adminCall<T>(url: string, token: string, method: string, path: string, body: unknown): Promise<T> {
  const r = await fetch(`${url}/admin/api/v1${path}`, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const json = (await r.json()) as { data: T };
  return json.data;
}

async function benchTokens(url: string, token: string): Promise<LoadResult> {
  await adminCall(url, token, 'POST', '/orgs', { name: 'bench' });
  const apps = await Promise.all(Array.from({ length: 8 }, (_, i) =>
    adminCall<{ apiKey: string }>(url, token, 'POST', '/apps', { org: 'bench', name: `app${i}`, origins: ['https://bench.test', 'https://*.bench.test'] })));
  const keys = apps.map((a) => a.apiKey);
  const build = (i: number) => ({ method: 'GET' as const, path: '/v3_5/tokens/application', headers: { apikey: keys[i % keys.length] ?? '' } });
  await runLoad({ url, concurrency: CONCURRENCY, maxRequests: 2000, maxMs: 3000, build, expectStatus: 200 }); // warm-up
  return runLoad({ url, concurrency: CONCURRENCY, maxRequests: 200_000, maxMs: MAX_MS, build, expectStatus: 200 });
}

async function benchSyncs(url: string, token: string): Promise<LoadResult> {
  const { registrationKey } = await adminCall<{ registrationKey: string }>(url, token, 'PUT', '/versions/1.0.0', { uris: { unix: 'https://dl.bench.test/1.deb' } });
  const devices = await Promise.all(Array.from({ length: 32 }, async () => {
    const key = generateDeviceKey();
    const client = new DsDeviceClient({ dsUrl: url, privateKey: key.privateKey });
    const { deviceId } = await client.register(registrationKey, { os: 'unix', version: '1.0.0' });
    return { deviceId, key };
  }));
  // Signing is the device's cost, not the DS's: sign every request before the clock starts.
  const total = Number(process.env.BENCH_SYNCS ?? 12_000);
  const bodies = Array.from({ length: total }, (_, i) => {
    const d = devices[i % devices.length];
    if (d === undefined) throw new Error('no device');
    const counters = { batchId: newCounterBatchId(), entries: [{ application: `app${i % 8}`, tag: '', module: 'beid', useCase: 'sign', day: '2026-11-23', count: 1 }] };
    return JSON.stringify(signEnvelope({ type: 'sync', deviceId: d.deviceId, os: 'unix', version: '1.0.0', counters }, d.key.privateKey));
  });
  const build = (i: number) => ({ method: 'POST' as const, path: DEVICE_PATHS.sync, headers: { 'content-type': 'application/json' }, body: bodies[i] ?? '' });
  return runLoad({ url, concurrency: CONCURRENCY, maxRequests: bodies.length, maxMs: MAX_MS, build, expectStatus: 200 });
}

function print(label: string, r: LoadResult): void {
  console.log(`${label.padEnd(34)} ${r.perSecond.toFixed(0).padStart(7)} req/s  p50 ${r.p50ms.toFixed(2)} ms  p99 ${r.p99ms.toFixed(2)} ms  max ${r.maxms.toFixed(1)} ms  (${r.requests} requests, ${r.errors} errors, ${r.seconds.toFixed(1)} s)`);
}

const dir = mkdtempSync(join(tmpdir(), 't1c-ds-bench-'));
console.log(`# DS benchmark: ${cpus().length} CPUs (${cpus()[0]?.model ?? '?'}), node ${process.version}, concurrency ${CONCURRENCY}, ≤${MAX_MS / 1000} s per run`);
try {
  const embedded = await startServer(join(dir, 'embedded'), '');
  try {
    print('tokens, embedded (pglite)', await benchTokens(embedded.url, embedded.token));
  } finally {
    await stopServer(embedded.child);
  }
  const pg = await PostgresServer.start();
  try {
    const dbUrl = await pg.createDatabase('bench');
    const server = await startServer(join(dir, 'pg'), dbUrl);
    try {
      print('tokens, PostgreSQL 15', await benchTokens(server.url, server.token));
      print('device syncs (+1 counter), PostgreSQL', await benchSyncs(server.url, server.token));
    } finally {
      await stopServer(server.child);
    }
  } finally {
    await pg.stop();
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
