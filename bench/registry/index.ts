// The Registry's routing cost: N agents (real `t1c api --registry`, each as its own OS uid) behind
// one `t1c registry` (mode ours); one client per uid times keep-alive GET /device-key through
// the Registry and straight to its own agent (p50/p99 of each, and the difference: what routing
// adds), then all clients fire together, `burst` requests each, through the Registry (errors).
// Usage (root, or where unshare works): node --import tsx bench/registry/index.ts [agents=20] [concurrent=500]
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensurePrivateNamespace } from '../../scripts/namespace.mjs';
import { percentile } from '../lib/stats.js';

ensurePrivateNamespace();
const agentCount = Number(process.argv[2] ?? 20);
const concurrent = Number(process.argv[3] ?? 500);
const BIN = fileURLToPath(new URL('../../packages/connector/bin/t1c.js', import.meta.url));
const CLIENT = fileURLToPath(new URL('./client.ts', import.meta.url));
const FIRST_UID = 64_100;

const dir = mkdtempSync(join(tmpdir(), 't1c-bench-registry-'));
chmodSync(dir, 0o755);
mkdirSync(join(dir, 'sock'), { mode: 0o755 });
const children: ChildProcess[] = [];

function lineFrom(child: ChildProcess, stream: 'stdout' | 'stderr', pattern: RegExp): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    let text = '';
    child[stream]?.on('data', (d: Buffer) => {
      text += d.toString();
      const m = pattern.exec(text);
      if (m) resolve(m);
    });
    child.once('exit', (code) => reject(new Error(`exited ${code}: ${text}`)));
  });
}

try {
  const registry = spawn(process.execPath, [BIN, 'registry', '--port', '0', '--socket', join(dir, 'sock', 'registry.sock'), '--log-level', 'warn'], { stdio: ['ignore', 'ignore', 'pipe'] });
  children.push(registry);
  const registryPort = Number((await lineFrom(registry, 'stderr', /listening on http:\/\/127\.0\.0\.1:(\d+)/))[1]);

  const agentPorts: number[] = [];
  // Started a few at a time: 20 API + sandbox pairs starting at once on two cores only measure the CPU.
  for (let i = 0; i < agentCount; i += 4) {
    agentPorts.push(...await Promise.all(Array.from({ length: Math.min(4, agentCount - i) }, async (_, k) => {
      const uid = FIRST_UID + i + k;
      const data = join(dir, `u${uid}`);
      mkdirSync(data, { mode: 0o700 });
      chownSync(data, uid, uid);
      const api = spawn(process.execPath, [BIN, 'api', '--registry', join(dir, 'sock', 'registry.sock'), '--http', '--no-jwt', '--no-pcsc', '--data-dir', data, '--log-level', 'warn'], {
        uid, gid: uid, stdio: ['ignore', 'ignore', 'pipe'], env: { PATH: process.env.PATH, HOME: dir },
      });
      children.push(api);
      return Number((await lineFrom(api, 'stderr', /listening on http:\/\/127\.0\.0\.1:(\d+)/))[1]);
    })));
  }

  const perClient = Math.ceil(concurrent / agentCount);
  const clients = agentPorts.map((agentPort, i) => {
    const uid = FIRST_UID + i;
    const child = spawn(process.execPath, ['--import', 'tsx', CLIENT, String(registryPort), String(agentPort), '200', String(perClient)], {
      uid, gid: uid, stdio: ['pipe', 'pipe', 'inherit'], env: { PATH: process.env.PATH, HOME: dir }, cwd: fileURLToPath(new URL('../..', import.meta.url)),
    });
    children.push(child);
    return child;
  });
  // Timed one client at a time, so the series measure routing, not two cores shared by twenty.
  const results: { viaRegistry: number[]; direct: number[]; errors: number; burstErrors: number; burst: number }[] = [];
  for (const c of clients) {
    const ready = lineFrom(c, 'stdout', /ready\n/);
    c.stdin?.write('time\n');
    await ready;
  }
  const outputs = clients.map((c) => lineFrom(c, 'stdout', /(\{.*\})\n/));
  for (const c of clients) c.stdin?.write('go\n');
  for (const out of outputs) results.push(JSON.parse((await out)[1] ?? '{}') as (typeof results)[number]);

  const via = results.flatMap((r) => r.viaRegistry);
  const direct = results.flatMap((r) => r.direct);
  const ms = (n: number): string => `${n.toFixed(3)} ms`;
  console.log(`agents registered: ${agentPorts.length} (distinct uids), Registry on ${registryPort}`);
  console.log(`through the Registry:   p50 ${ms(percentile(via, 50))}  p99 ${ms(percentile(via, 99))}  (n=${via.length})`);
  console.log(`straight to the agent:  p50 ${ms(percentile(direct, 50))}  p99 ${ms(percentile(direct, 99))}  (n=${direct.length})`);
  console.log(`added by routing:       p50 ${ms(percentile(via, 50) - percentile(direct, 50))}  p99 ${ms(percentile(via, 99) - percentile(direct, 99))}`);
  console.log(`sequential errors: ${results.reduce((s, r) => s + r.errors, 0)}`);
  console.log(`concurrent burst: ${results.reduce((s, r) => s + r.burst, 0)} requests at once through the Registry, errors ${results.reduce((s, r) => s + r.burstErrors, 0)}`);
} finally {
  for (const child of children.reverse()) if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  await new Promise((r) => setTimeout(r, 1000));
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
}
