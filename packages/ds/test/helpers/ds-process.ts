import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ENTRY = fileURLToPath(new URL('./ds-cli.ts', import.meta.url));

/** A DS running as its own OS process (`t1c ds …`), stopped by its PID. */
export class DsProcess {
  private stderr = '';

  private constructor(private readonly child: ChildProcess, readonly url: string) {}

  static async start(args: string[], env: Record<string, string> = {}): Promise<DsProcess> {
    const child = spawn(process.execPath, ['--import', 'tsx', ENTRY, 'ds', '--log-level', 'warn', ...args], {
      stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ...env },
    });
    let stderr = '';
    const url = await new Promise<string>((resolve, reject) => {
      child.stderr?.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        const m = /listening on (http:\/\/\S+)/.exec(stderr);
        if (m?.[1] !== undefined && stderr.includes('admin token')) resolve(m[1]);
      });
      child.once('exit', (code) => reject(new Error(`ds exited with ${code}: ${stderr}`)));
    });
    const p = new DsProcess(child, url);
    p.stderr = stderr;
    child.stderr?.on('data', (chunk: Buffer) => { p.stderr += chunk.toString(); });
    return p;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get output(): string {
    return this.stderr;
  }

  async stop(): Promise<number | null> {
    if (this.child.exitCode !== null) return this.child.exitCode;
    const exited = new Promise<number | null>((resolve) => this.child.once('exit', (code) => resolve(code)));
    this.child.kill('SIGTERM');
    return exited;
  }
}
