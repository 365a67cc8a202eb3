import { type ChildProcess } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { curlAsUser, type CurlAnswer } from './curl-as-user.js';
import { processesOf, ThrowawayRoot, type RunResult } from './throwaway-root.js';

export type { CurlAnswer } from './curl-as-user.js';

export interface OsUser {
  readonly name: string;
  readonly uid: number;
}

const UID_BASE = 63_000;
const UID_SPAN = 2_000;

/**
 * A uid nobody has, from a range the other installer tests do not use, looked for from a random
 * point: test runs side by side on one machine share /proc, and close() kills every process of
 * its uids, so two runs must not both start at the bottom.
 */
function freeUids(count: number, taken: Set<number>): number[] {
  const passwd = new Set(readFileSync('/etc/passwd', 'utf8').split('\n').map((l) => Number(l.split(':')[2])));
  const uids: number[] = [];
  const start = randomInt(UID_SPAN);
  for (let i = 0; i < UID_SPAN && uids.length < count; i++) {
    const uid = UID_BASE + ((start + i) % UID_SPAN);
    if (!passwd.has(uid) && !taken.has(uid) && processesOf(uid).length === 0) uids.push(uid);
  }
  if (uids.length < count) throw new Error('no free uids');
  return uids;
}

/**
 * Real OS users for a test: `useradd` in a throw-away root (its /etc/passwd vanishes with
 * it), processes started in that root as the user with setpriv (which execs, so a child's
 * PID is the command's). The network, /proc and /run are the test's own.
 */
export class OsUsers {
  private readonly children: ChildProcess[] = [];

  private constructor(private readonly root: ThrowawayRoot, readonly users: readonly OsUser[]) {}

  static async create(names: readonly string[]): Promise<OsUsers> {
    const root = await ThrowawayRoot.create();
    try {
      const uids = freeUids(names.length, new Set());
      const users = names.map((name, i) => ({ name, uid: uids[i] ?? -1 }));
      for (const user of users) {
        const r = await root.run(['useradd', '--uid', String(user.uid), '--user-group', '--create-home', '--shell', '/bin/sh', user.name]);
        if (r.code !== 0) throw new Error(`useradd ${user.name}: ${r.stderr}`);
      }
      return new OsUsers(root, users);
    } catch (error) {
      await root.close();
      throw error;
    }
  }

  user(name: string): OsUser {
    const user = this.users.find((u) => u.name === name);
    if (!user) throw new Error(`no test user ${name}`);
    return user;
  }

  private asUser(name: string, command: readonly string[], env: NodeJS.ProcessEnv): string[] {
    const { uid } = this.user(name);
    const vars = Object.entries(env).map(([k, v]) => `${k}=${v ?? ''}`);
    return ['setpriv', `--reuid=${uid}`, `--regid=${uid}`, '--init-groups', '--reset-env', '--', 'env', ...vars, ...command];
  }

  /** Runs a command as `name` (root when name is `root`) and collects its output. */
  run(name: string, command: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<RunResult> {
    return this.root.run(name === 'root' ? ['env', ...Object.entries(env).map(([k, v]) => `${k}=${v ?? ''}`), ...command] : this.asUser(name, command, env));
  }

  /** curl as `name`; the exit code is the caller's to judge (a closed TLS connection is an answer too). */
  curlOutcome(name: string, url: string, args: readonly string[] = []): Promise<CurlAnswer> {
    return curlAsUser((argv) => this.run(name, argv), url, args);
  }

  /** curl as `name`, which must get an HTTP answer (any status). */
  async curl(name: string, url: string, args: readonly string[] = []): Promise<CurlAnswer> {
    const answer = await this.curlOutcome(name, url, args);
    if (answer.code !== 0) throw new Error(`curl as ${name} ${url}: exit ${answer.code}: ${answer.stderr}`);
    return answer;
  }

  /** Starts a long-running command as `name`; stopped by close() if the test did not. */
  spawn(name: string, command: readonly string[], env: NodeJS.ProcessEnv = {}): ChildProcess {
    const child = this.root.spawn(name === 'root' ? ['env', ...Object.entries(env).map(([k, v]) => `${k}=${v ?? ''}`), ...command] : this.asUser(name, command, env));
    this.children.push(child);
    return child;
  }

  /** Stops every child by its PID, then anything left running as a test user, then the root. */
  async close(): Promise<void> {
    for (const child of this.children) {
      if (child.exitCode !== null || child.signalCode !== null) continue;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise<void>((resolve) => setTimeout(resolve, 5000).unref())]);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
    for (const user of this.users) for (const pid of processesOf(user.uid)) process.kill(pid, 'SIGKILL');
    await this.root.close();
  }
}

/** Resolves with the first match of `pattern` in the child's stderr (or rejects when it exits). */
export function waitForStderr(child: ChildProcess, pattern: RegExp, timeoutMs = 60_000): Promise<RegExpExecArray> {
  return waitForOutput(child, pattern, 'stderr', timeoutMs);
}

/** The same for stdout (where pino logs go). */
export function waitForOutput(child: ChildProcess, pattern: RegExp, stream: 'stdout' | 'stderr', timeoutMs = 60_000): Promise<RegExpExecArray> {
  const output = child[stream];
  return new Promise((resolve, reject) => {
    let text = '';
    const timer = setTimeout(() => reject(new Error(`no ${pattern} within ${timeoutMs} ms: ${text}`)), timeoutMs);
    const onData = (chunk: Buffer): void => {
      text += chunk.toString();
      const m = pattern.exec(text);
      if (m) {
        clearTimeout(timer);
        output?.off('data', onData);
        resolve(m);
      }
    };
    output?.on('data', onData);
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`exited with ${code} before ${pattern}: ${text}`)); });
  });
}
