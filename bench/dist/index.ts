// What `npm run dist` ships, in numbers: installer and installed size per target (from dist/),
// start of the linux-x64 single executable to its first /info, and the idle resident memory of
// API + Sandbox together; the same start and memory for the git clone (tsx) beside it, and the
// clone's node_modules, which is not the product. Run `npm run dist` first.
// Usage (root, or where unshare works): node --import tsx bench/dist/index.ts [runs=10]
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { get } from 'node:http';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensurePrivateNamespace } from '../../scripts/namespace.mjs';
import { percentile } from '../lib/stats.js';

ensurePrivateNamespace();
const runs = Math.max(2, Number(process.argv[2] ?? 10));
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DIST = join(ROOT, 'dist');
const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
const TARGETS = ['linux-x64', 'linux-arm64', 'win-x64', 'darwin-x64', 'darwin-arm64'] as const;
const SETTLE_MS = 3000;

const mib = (bytes: number): string => `${(bytes / 1048576).toFixed(1)} MiB`;

/** Bytes of a file or, recursively, of a directory (symlinks not followed). */
function sizeOf(path: string): number {
  const st = statSync(path, { throwIfNoEntry: false });
  if (!st) return 0;
  if (!st.isDirectory()) return st.size;
  return readdirSync(path).reduce((sum, name) => sum + (statSync(join(path, name)).isSymbolicLink() ? 0 : sizeOf(join(path, name))), 0);
}

const freePort = (): Promise<number> => new Promise((resolve) => {
  const s = createServer().listen(0, '127.0.0.1', () => {
    const { port } = s.address() as AddressInfo;
    s.close(() => resolve(port));
  });
});

const infoAnswers = (port: number): Promise<boolean> => new Promise((resolve) => {
  get({ host: '127.0.0.1', port, path: '/info', timeout: 1000 }, (res) => {
    res.resume().on('end', () => resolve(res.statusCode === 200));
  }).on('error', () => resolve(false)).on('timeout', function (this: { destroy(): void }) { this.destroy(); });
});

function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

interface Memory {
  readonly name: string;
  /** VmRSS, KiB: counts the executable's shared pages once per process. */
  readonly rss: number;
  /** Pss, KiB: shared pages split between the processes sharing them. */
  readonly pss: number;
  /** Anonymous, KiB: the process's own heap and stacks, no file pages. */
  readonly anon: number;
  /** Private_Clean + Private_Dirty, KiB: what this process alone holds (what ending it frees). */
  readonly priv: number;
}

/** Memory of a process and all its descendants, with their names. */
function memoryTree(pid: number): Memory[] {
  let status = '';
  let rollup = '';
  try {
    status = readFileSync(`/proc/${pid}/status`, 'utf8');
    rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
  } catch {
    return [];
  }
  const own = {
    name: /Name:\s+(\S+)/.exec(status)?.[1] ?? '?',
    rss: Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0),
    pss: Number(/^Pss:\s+(\d+)/m.exec(rollup)?.[1] ?? 0),
    anon: Number(/^Anonymous:\s+(\d+)/m.exec(rollup)?.[1] ?? 0),
    priv: Number(/^Private_Clean:\s+(\d+)/m.exec(rollup)?.[1] ?? 0) + Number(/^Private_Dirty:\s+(\d+)/m.exec(rollup)?.[1] ?? 0),
  };
  return [own, ...childrenOf(pid).flatMap(memoryTree)];
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

interface StartFigures {
  readonly firstStartMs: number;
  readonly startMs: number[];
  readonly idle: Memory[];
}

/** Starts the API `runs` times, each time to its first /info; the first run creates the device key. */
async function measureStarts(command: string, args: readonly string[], env: Record<string, string> = {}): Promise<StartFigures> {
  const dataDir = mkdtempSync(join(tmpdir(), 't1c-bench-dist-'));
  const times: number[] = [];
  let idle: Memory[] = [];
  try {
    for (let i = 0; i < runs; i++) {
      const port = await freePort();
      const started = process.hrtime.bigint();
      const child = spawn(command, [...args, 'api', '--http', '--no-jwt', '--port', String(port), '--data-dir', dataDir, '--log-level', 'warn'],
        { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ...env, HOME: dataDir } });
      let stderr = '';
      child.stderr?.on('data', (d: Buffer) => { stderr += d.toString(); });
      try {
        for (;;) {
          if (child.exitCode !== null) throw new Error(`${command} exited with ${child.exitCode} before answering /info:\n${stderr}`);
          if (await infoAnswers(port)) break;
          await new Promise((r) => setTimeout(r, 5));
        }
        times.push(Number(process.hrtime.bigint() - started) / 1e6);
        if (i === runs - 1) {
          await new Promise((r) => setTimeout(r, SETTLE_MS));
          idle = memoryTree(child.pid ?? 0);
        }
      } finally {
        await stop(child);
      }
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
  const [firstStartMs = Number.NaN, ...rest] = times;
  return { firstStartMs, startMs: rest, idle };
}

// 1. Sizes per target.
console.log(`t1c ${VERSION}: dist/ figures (installed = dist/<target>/, what every installer ships, plus a few KB of scripts)\n`);
console.log(`${'target'.padEnd(14)}${'installer'.padEnd(44)}${'installer size'.padStart(16)}${'installed'.padStart(12)}`);
for (const target of TARGETS) {
  const dir = join(DIST, target);
  const installed = existsSync(dir) ? mib(sizeOf(dir)) : 'not built';
  const installers = existsSync(DIST) ? readdirSync(DIST).filter((f) => f.startsWith(`t1c-${VERSION}-${target}.`) || f.startsWith(`t1c-${VERSION}-${target}_`)) : [];
  if (installers.length === 0) console.log(`${target.padEnd(14)}${'(none)'.padEnd(44)}${''.padStart(16)}${installed.padStart(12)}`);
  for (const f of installers) console.log(`${target.padEnd(14)}${f.padEnd(44)}${mib(statSync(join(DIST, f)).size).padStart(16)}${installed.padStart(12)}`);
}
const du = spawnSync('du', ['-sb', join(ROOT, 'node_modules')], { encoding: 'utf8' });
console.log(`\ngit clone: node_modules ${mib(Number(du.stdout.split('\t')[0]))} (not the product)\n`);

// 2. Start and idle memory: the installed single executable against the git clone.
const candidates: { label: string; command: string; args: string[]; env?: Record<string, string> }[] = [];
const sea = join(DIST, 'linux-x64', 't1c');
// The executable as the .deb's systemd unit starts it: with the unit's Environment= lines.
const unitEnv = Object.fromEntries([...readFileSync(join(ROOT, 'packaging', 'linux', 't1c.service'), 'utf8').matchAll(/^Environment=(\w+)=(\S*)$/gm)].map((m) => [m[1] ?? '', m[2] ?? '']));
if (existsSync(sea)) candidates.push({ label: 'dist/linux-x64/t1c (SEA)', command: sea, args: [], env: unitEnv });
else console.log('dist/linux-x64/t1c not built: run `npm run dist -- --target linux-x64`');
candidates.push({ label: 'git clone (node + tsx)', command: process.execPath, args: [join(ROOT, 'packages', 'connector', 'bin', 't1c.js')] });

console.log(`${'program'.padEnd(28)}${'first start'.padStart(13)}${`start p50 (n=${runs - 1})`.padStart(20)}${'start max'.padStart(11)}${'idle RSS'.padStart(11)}${'idle PSS'.padStart(11)}${'private'.padStart(11)}${'idle anon'.padStart(11)}  per process: RSS/PSS/private MiB`);
for (const c of candidates) {
  const f = await measureStarts(c.command, c.args, c.env);
  const rss = f.idle.reduce((s, p) => s + p.rss, 0) / 1024;
  const pss = f.idle.reduce((s, p) => s + p.pss, 0) / 1024;
  const anon = f.idle.reduce((s, p) => s + p.anon, 0) / 1024;
  const priv = f.idle.reduce((s, p) => s + p.priv, 0) / 1024;
  const m = (kib: number): string => (kib / 1024).toFixed(1);
  const parts = f.idle.map((p) => `${p.name} ${m(p.rss)}/${m(p.pss)}/${m(p.priv)}`).join(', ');
  console.log(`${c.label.padEnd(28)}${`${f.firstStartMs.toFixed(0)} ms`.padStart(13)}${`${percentile(f.startMs, 50).toFixed(0)} ms`.padStart(20)}${`${Math.max(...f.startMs).toFixed(0)} ms`.padStart(11)}${`${rss.toFixed(1)} MiB`.padStart(11)}${`${pss.toFixed(1)} MiB`.padStart(11)}${`${priv.toFixed(1)} MiB`.padStart(11)}${`${anon.toFixed(1)} MiB`.padStart(11)}  ${parts}`);
}
console.log(`\nSEA environment, from packaging/linux/t1c.service: ${JSON.stringify(unitEnv)}`);
console.log(`start = spawn to the first 200 from GET /info (plain HTTP, --no-jwt; page cache warm); first start also creates the device key.`);
console.log(`idle = API + every descendant (Sandbox; for the clone also any esbuild service) ${SETTLE_MS / 1000} s after the last start: RSS summed (shared executable pages counted in each), PSS summed (counted once), private = pages no other process shares, anon = heap and stacks.`);
console.log(`load average now: ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')} (timings on a busy machine are upper bounds)`);
