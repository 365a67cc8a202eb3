import { Agent, request } from 'node:http';

/**
 * A bounded closed-loop load generator over keep-alive HTTP/1.1 on loopback: `concurrency`
 * workers each send one request at a time until `maxRequests` were sent or `maxMs` passed.
 */
export interface LoadOptions {
  url: string;
  concurrency: number;
  maxRequests: number;
  maxMs: number;
  /** Builds request i (method, path, headers, body). */
  build(i: number): { method: 'GET' | 'POST'; path: string; headers?: Record<string, string>; body?: string };
  expectStatus: number;
}

export interface LoadResult {
  requests: number;
  errors: number;
  seconds: number;
  perSecond: number;
  p50ms: number;
  p99ms: number;
  maxms: number;
}

function once(agent: Agent, base: URL, spec: ReturnType<LoadOptions['build']>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ agent, host: base.hostname, port: base.port, method: spec.method, path: spec.path, headers: spec.headers }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(spec.body);
  });
}

const percentile = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;

export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: options.concurrency });
  const base = new URL(options.url);
  const latencies: number[] = [];
  let next = 0;
  let errors = 0;
  const started = process.hrtime.bigint();
  const deadline = Date.now() + options.maxMs;
  const worker = async (): Promise<void> => {
    while (next < options.maxRequests && Date.now() < deadline) {
      const i = next++;
      const t0 = process.hrtime.bigint();
      try {
        const status = await once(agent, base, options.build(i));
        if (status !== options.expectStatus) errors++;
      } catch {
        errors++;
      }
      latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  return {
    requests: latencies.length, errors, seconds, perSecond: latencies.length / seconds,
    p50ms: percentile(latencies, 50), p99ms: percentile(latencies, 99), maxms: latencies[latencies.length - 1] ?? 0,
  };
}
