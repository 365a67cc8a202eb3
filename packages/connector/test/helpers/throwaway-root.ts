import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { collectOutput, type CliResult } from './run-cli.js';

export type RunResult = CliResult;

/** One entry of the overlay's upper layer: `f` file, `d` directory, `l` link, `c` whiteout… */
export interface UpperEntry {
  readonly type: string;
  readonly path: string;
}

/**
 * A copy-on-write view of `/` for installing packages: an overlay whose lower layer is the
 * real root and whose upper layer is a tmpfs, mounted in a mount namespace of its own that a
 * holder process keeps alive. Commands enter it with nsenter + chroot; /proc, /sys, /dev and
 * /run are the real ones (so pcscd's socket and the network are shared with the test). When
 * the holder ends, the namespace and every write made in the root vanish with it.
 */
export class ThrowawayRoot {
  private constructor(private readonly holder: ChildProcess, readonly mountDir: string) {}

  /** Path of the root as seen inside the namespace. */
  get root(): string {
    return join(this.mountDir, 'root');
  }

  get upper(): string {
    return join(this.mountDir, 'upper');
  }

  static async create(): Promise<ThrowawayRoot> {
    const mountDir = mkdtempSync(join(tmpdir(), 't1c-root-'));
    const script = [
      'set -e',
      `D='${mountDir}'`,
      'mount -t tmpfs -o mode=755 t1c-throwaway "$D"',
      'mkdir "$D/upper" "$D/work" "$D/root"',
      'mount -t overlay overlay -o "lowerdir=/,upperdir=$D/upper,workdir=$D/work" "$D/root"',
      'for m in proc sys dev run; do mount --rbind "/$m" "$D/root/$m"; done',
      'echo ready',
      // Lives until the test closes stdin or ends; the namespace goes with it.
      'exec cat >/dev/null',
    ].join('\n');
    const holder = spawn('unshare', ['--mount', '--propagation', 'private', 'sh', '-c', script], { stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    try {
      await new Promise<void>((resolve, reject) => {
        holder.stdout?.on('data', (d: Buffer) => {
          output += d.toString();
          if (output.includes('ready')) resolve();
        });
        holder.stderr?.on('data', (d: Buffer) => { output += d.toString(); });
        holder.once('exit', (code) => reject(new Error(`throw-away root setup failed (${code}): ${output}`)));
      });
    } catch (error) {
      rmdirSync(mountDir);
      throw error;
    }
    return new ThrowawayRoot(holder, mountDir);
  }

  private enter(command: readonly string[], chroot: boolean): string[] {
    const pid = this.holder.pid;
    if (pid === undefined) throw new Error('the throw-away root is gone');
    return ['--target', String(pid), '--mount', '--', ...(chroot ? ['chroot', this.root] : []), ...command];
  }

  /** Runs a command inside the root (as root unless the command drops privileges itself). */
  run(command: readonly string[], options: { chroot?: boolean; env?: NodeJS.ProcessEnv } = {}): Promise<RunResult> {
    return collectOutput(spawn('nsenter', this.enter(command, options.chroot ?? true), {
      stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C.UTF-8', ...options.env },
    }));
  }

  /** Starts a long-running command inside the root; nsenter and chroot exec, so its PID is the command's. */
  spawn(command: readonly string[]): ChildProcess {
    return spawn('nsenter', this.enter(command, true), { stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C.UTF-8' } });
  }

  /** Every path the root has written so far (the overlay's upper layer), relative to `/`. */
  async upperEntries(): Promise<UpperEntry[]> {
    const r = await this.run(['find', this.upper, '-mindepth', '1', '-printf', '%y %P\\n'], { chroot: false });
    if (r.code !== 0) throw new Error(`find in the upper layer failed: ${r.stderr}`);
    return r.stdout.split('\n').filter(Boolean).map((line) => ({ type: line.slice(0, 1), path: line.slice(2) }));
  }

  /** Ends the holder; the namespace, its mounts and the tmpfs go with the last process in it. */
  async close(): Promise<void> {
    if (this.holder.exitCode === null && this.holder.signalCode === null) {
      const exited = new Promise<void>((resolve) => this.holder.once('exit', () => resolve()));
      this.holder.stdin?.end();
      await exited;
    }
    rmdirSync(this.mountDir);
  }
}

/** PIDs of the processes a uid runs (read from /proc; the test shares the PID namespace). */
export function processesOf(uid: number): number[] {
  const pids: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const status = readFileSync(`/proc/${name}/status`, 'utf8');
      const m = /^Uid:\s+(\d+)/m.exec(status);
      if (m && Number(m[1]) === uid) pids.push(Number(name));
    } catch {
      // The process ended while we looked.
    }
  }
  return pids;
}
