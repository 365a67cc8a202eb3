import { execFile } from 'node:child_process';
import { createServer } from 'node:net';
import { promisify } from 'node:util';

export interface PortRange {
  readonly from: number;
  readonly to: number;
}

/** Above the well-known 51983 and clear of the demo DS (52000); 200 users per machine. */
export const DEFAULT_AGENT_PORTS: PortRange = { from: 52100, to: 52299 };

/** `52100-52299` → range; anything else is an error naming the value. */
export function parsePortRange(text: string): PortRange {
  const m = /^(\d{1,5})-(\d{1,5})$/.exec(text.trim());
  const from = Number(m?.[1]);
  const to = Number(m?.[2]);
  if (!m || from < 1024 || to > 65535 || from > to) throw new Error(`agent ports: expected FROM-TO within 1024-65535, got "${text}"`);
  return { from, to };
}

/**
 * Parses `netsh interface ipv4 show excludedportrange protocol=tcp`: Hyper-V, WSL and
 * WinNAT reserve blocks of ports that nobody may bind, and the blocks move at each boot.
 */
export function parseExcludedPortRanges(text: string): PortRange[] {
  const ranges: PortRange[] = [];
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s*(\d{1,5})\s+(\d{1,5})\s*\*?\s*$/.exec(line);
    if (m) ranges.push({ from: Number(m[1]), to: Number(m[2]) });
  }
  return ranges;
}

const run = promisify(execFile);

/** The excluded TCP ranges of this Windows machine; none elsewhere. */
export async function excludedPortRanges(platform: NodeJS.Platform = process.platform): Promise<PortRange[]> {
  if (platform !== 'win32') return [];
  const out = await run('netsh', ['interface', 'ipv4', 'show', 'excludedportrange', 'protocol=tcp']).catch(() => ({ stdout: '' }));
  return parseExcludedPortRanges(out.stdout);
}

/** True when 127.0.0.1:port can be bound right now. */
export function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen({ host: '127.0.0.1', port, exclusive: true }, () => probe.close(() => resolve(true)));
  });
}

/** The first port of `range` not taken, not excluded and bindable now. */
export async function pickAgentPort(range: PortRange, taken: ReadonlySet<number>, excluded: readonly PortRange[]): Promise<number | undefined> {
  for (let port = range.from; port <= range.to; port += 1) {
    if (taken.has(port) || excluded.some((r) => port >= r.from && port <= r.to)) continue;
    if (await portIsFree(port)) return port;
  }
  return undefined;
}
