// One OS user's browser stand-in for bench/registry: runs as that user (spawned with its uid),
// times sequential keep-alive requests through the Registry and straight to its own agent,
// when told (a line on stdin), then on a second line fires its share of the concurrent burst. Prints one JSON line.
import { Agent, request } from 'node:http';
import { timed } from '../lib/stats.js';

const [registryPort, agentPort, sequential, burst] = process.argv.slice(2).map(Number);
const agent = new Agent({ keepAlive: true, maxSockets: 64 });

function get(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/device-key', agent, headers: { 'x-csrf-token': 't1c-js' } }, (res) => {
      res.resume().once('end', () => resolve(res.statusCode ?? 0));
    });
    req.once('error', reject).end();
  });
}

async function series(port: number, n: number): Promise<{ ms: number[]; errors: number }> {
  const ms: number[] = [];
  let errors = 0;
  for (let i = 0; i < n; i++) {
    let status = 0;
    ms.push(await timed(async () => { status = await get(port).catch(() => 0); }));
    if (status !== 200) errors++;
  }
  return { ms, errors };
}

const nextLine = (): Promise<void> => new Promise((resolve) => process.stdin.once('data', () => resolve()));
await nextLine();
// Warm both paths (connections, JIT) before timing; alternate so drift hits both alike.
await series(registryPort ?? 0, 20);
await series(agentPort ?? 0, 20);
const viaRegistry: number[] = [];
const direct: number[] = [];
let errors = 0;
for (let round = 0; round < 10; round++) {
  const r = await series(registryPort ?? 0, (sequential ?? 100) / 10);
  const d = await series(agentPort ?? 0, (sequential ?? 100) / 10);
  viaRegistry.push(...r.ms);
  direct.push(...d.ms);
  errors += r.errors + d.errors;
}
process.stdout.write('ready\n');
await nextLine();
const statuses = await Promise.all(Array.from({ length: burst ?? 25 }, () => get(registryPort ?? 0).catch(() => 0)));
const burstErrors = statuses.filter((s) => s !== 200).length;
process.stdout.write(`${JSON.stringify({ viaRegistry, direct, errors, burstErrors, burst: statuses.length })}\n`);
agent.destroy();
