import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { parseRegQuery, type RegValue } from '../../src/config/reg-query.js';

/** Debian's wine64 loader and server: not on PATH. */
export const WINE = '/usr/lib/wine/wine64';
const WINESERVER = existsSync('/usr/lib/wine/wineserver64') ? '/usr/lib/wine/wineserver64' : '/usr/lib/wine/wineserver';

export interface WineRun {
  readonly status: number | null;
  readonly stdout: string;
}

/** A started Windows program whose stdout and stderr go to a file (Node under Wine cannot write to a pipe). */
export interface WineProcess {
  readonly child: ChildProcess;
  readonly logFile: string;
  log(): string;
  exited(): Promise<number | null>;
}

/**
 * A throw-away Wine prefix set to Windows 10 (Node refuses older). Everything runs with this
 * prefix's environment; `close` kills what was started here by PID, then every Wine process of
 * the prefix through its wineserver, and removes the prefix.
 */
export class WinePrefix {
  private readonly started: ChildProcess[] = [];

  private constructor(readonly path: string, private readonly serverDir: string, readonly env: NodeJS.ProcessEnv) {}

  static create(): WinePrefix {
    const path = mkdtempSync(join(tmpdir(), 't1c-wine-'));
    // wineserver leaves its socket directory in TMPDIR: one of ours, removed with the prefix.
    const serverDir = mkdtempSync(join(tmpdir(), 't1c-wineserver-'));
    // No Mono or Gecko prompts: nothing here needs them.
    const env = { ...process.env, WINEPREFIX: path, TMPDIR: serverDir, WINEDEBUG: '-all', WINEDLLOVERRIDES: 'mscoree,mshtml=', DISPLAY: '' };
    const prefix = new WinePrefix(path, serverDir, env);
    const r = prefix.run(['winecfg', '-v', 'win10']);
    if (r.status !== 0) {
      prefix.close();
      throw new Error(`wine prefix: winecfg -v win10 exited with ${String(r.status)}: ${r.stdout}`);
    }
    return prefix;
  }

  /** C:\users\<name> of the current Unix user, on the Linux side. */
  get userDir(): string {
    return join(this.path, 'drive_c', 'users', userInfo().username);
  }

  /** The same folder as Windows programs see it. */
  get windowsUserDir(): string {
    return `C:\\users\\${userInfo().username}`;
  }

  /** A short Windows program (reg, msiexec): waits for it; its output through a pipe is fine. */
  run(args: readonly string[]): WineRun {
    const r = spawnSync(WINE, [...args], { env: this.env, encoding: 'utf8', timeout: 300_000 });
    return { status: r.status, stdout: `${r.stdout ?? ''}${r.stderr ?? ''}` };
  }

  regQuery(key: string): RegValue[] | undefined {
    const r = this.run(['reg', 'query', key]);
    return r.status === 0 ? parseRegQuery(r.stdout) : undefined;
  }

  regAdd(key: string, name: string, type: 'REG_SZ' | 'REG_DWORD', data: string): void {
    const r = this.run(['reg', 'add', key, '/v', name, '/t', type, '/d', data, '/f']);
    if (r.status !== 0) throw new Error(`reg add ${key}\\${name}: ${r.stdout}`);
  }

  /** Starts a program in the background with stdout and stderr in `logFile`. */
  start(args: readonly string[], logFile: string): WineProcess {
    const fd = openSync(logFile, 'w');
    const child = spawn(WINE, [...args], { env: this.env, stdio: ['ignore', fd, fd] });
    closeSync(fd);
    this.started.push(child);
    const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    return { child, logFile, log: () => readFileSync(logFile, 'utf8'), exited: () => exit };
  }

  /** Kills one started program by PID and waits for it. */
  async stop(p: WineProcess): Promise<void> {
    if (p.child.exitCode !== null || p.child.signalCode !== null) return;
    const exited = p.exited();
    p.child.kill('SIGKILL');
    await exited;
  }

  /** Every process of this prefix (a program's children, services Wine started) and the server itself. */
  killAll(): void {
    for (const child of this.started) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    spawnSync(WINESERVER, ['-k'], { env: this.env, timeout: 60_000 });
    spawnSync(WINESERVER, ['-w'], { env: this.env, timeout: 60_000 });
  }

  close(): void {
    this.killAll();
    rmSync(this.path, { recursive: true, force: true });
    rmSync(this.serverDir, { recursive: true, force: true });
  }
}
