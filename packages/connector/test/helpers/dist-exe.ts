import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleDesktop } from '../../../../packaging/desktop/bundle.mjs';
import { TARGETS } from '../../../../packaging/runtimes.mjs';
import { buildStamp } from '../../../../packaging/sea.mjs';
import { collectOutput, type CliResult } from './run-cli.js';

export const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
export const ROOT_VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

export function executableOf(target: string): string {
  const info = TARGETS[target];
  if (!info) throw new Error(`unknown target ${target}`);
  return join(ROOT, 'dist', target, info.exe);
}

/**
 * The executables of `targets`, built with `npm run dist` if missing or made from other sources
 * (runtimes are cached in dist/.cache, so a second build only bundles and re-injects).
 */
export async function ensureExecutables(targets: readonly string[]): Promise<Record<string, string>> {
  const scratch = mkdtempSync(join(tmpdir(), 't1c-bundle-check-'));
  let digest: string;
  try {
    await bundleDesktop({ outfile: join(scratch, 't1c.cjs') });
    digest = buildStamp(ROOT, readFileSync(join(scratch, 't1c.cjs')));
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  const stamp = (t: string): string | undefined => {
    try {
      return readFileSync(join(ROOT, 'dist', '.work', t, 'build.sha256'), 'utf8');
    } catch {
      return undefined;
    }
  };
  // Missing, or built from other sources than these: build again.
  const missing = targets.filter((t) => !existsSync(executableOf(t)) || stamp(t) !== digest);
  if (missing.length > 0) {
    const r = spawnSync('npm', ['run', 'dist', '--', ...missing.flatMap((t) => ['--target', t]), '--no-sdk', '--no-installers'], {
      cwd: ROOT, encoding: 'utf8',
    });
    if (r.status !== 0) throw new Error(`npm run dist failed: ${r.stdout}\n${r.stderr}`);
  }
  return Object.fromEntries(targets.map((t) => [t, executableOf(t)]));
}

export type ExeResult = CliResult;

/** Runs the executable to completion. */
export function runExe(exe: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<ExeResult> {
  return collectOutput(spawn(exe, [...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] }));
}

/** `<exe> api …` as its own process, stopped by its PID. */
export class ExeApi {
  private constructor(private readonly child: ChildProcess, readonly url: string, private readonly output: { stderr: string }) {}

  static async start(exe: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<ExeApi> {
    const child = spawn(exe, ['api', '--port', '0', '--log-level', 'warn', ...args], {
      stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ...env },
    });
    const output = { stderr: '' };
    const url = await new Promise<string>((resolve, reject) => {
      child.stderr?.on('data', (chunk: Buffer) => {
        output.stderr += chunk.toString();
        const m = /t1c api listening on (https?:\/\/\S+)/.exec(output.stderr);
        if (m?.[1] !== undefined) resolve(m[1]);
      });
      child.once('exit', (code) => reject(new Error(`t1c api exited with ${code}: ${output.stderr}`)));
    });
    return new ExeApi(child, url, output);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get stderr(): string {
    return this.output.stderr;
  }

  async get(path: string): Promise<{ status: number; body: { success?: boolean; data?: unknown } }> {
    const res = await fetch(new URL(path, this.url.replace('localhost', '127.0.0.1')));
    return { status: res.status, body: await res.json() as { success?: boolean; data?: unknown } };
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.kill('SIGTERM');
    await exited;
  }
}
