import type { PortHolder } from '../types.js';

/** PIDs listening on `port` from `netstat -ano -p tcp` (Windows): "TCP  127.0.0.1:51983  0.0.0.0:0  LISTENING  1234". */
export function parseNetstatListeners(output: string, port: number): number[] {
  const pids = new Set<number>();
  for (const line of output.split(/\r?\n/)) {
    const f = line.trim().split(/\s+/);
    if (f[0]?.toUpperCase() !== 'TCP' || f.length < 5) continue;
    const local = f[1] ?? '';
    if (Number(local.slice(local.lastIndexOf(':') + 1)) !== port || !/^LISTEN/i.test(f[3] ?? '')) continue;
    const pid = Number(f[4]);
    if (Number.isInteger(pid) && pid > 0) pids.add(pid);
  }
  return [...pids];
}

/** The image name of a PID from `tasklist /FI "PID eq N" /FO CSV /NH`: "t1c.exe","1234",… */
export function parseTasklistImage(output: string): string | undefined {
  return /^"([^"]+)","\d+"/m.exec(output)?.[1];
}

/** `lsof -nP -iTCP:PORT -sTCP:LISTEN -F pcu` (macOS): p<pid>, c<command>, u<uid> lines. */
export function parseLsofListeners(output: string): PortHolder[] {
  const holders: PortHolder[] = [];
  let current: { pid: number; uid: number; command: string } | undefined;
  for (const line of output.split('\n')) {
    const [tag, value] = [line.slice(0, 1), line.slice(1)];
    if (tag === 'p') {
      if (current) holders.push(current);
      current = { pid: Number(value), uid: -1, command: '' };
    } else if (current && tag === 'c') current.command = value;
    else if (current && tag === 'u') current.uid = Number(value);
  }
  if (current) holders.push(current);
  return holders;
}
