import { type ChildProcess, spawn } from 'node:child_process';
import { T1C_BIN } from '../helpers/run-cli.js';

/** `t1c api …` as its own OS process (as a user runs it), stopped by its PID. */
export class ApiProcess {
  private constructor(private readonly child: ChildProcess, readonly url: string, readonly port: number) {}

  static async start(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<ApiProcess> {
    const child = spawn(process.execPath, [T1C_BIN, 'api', '--port', '0', '--log-level', 'warn', ...args], {
      stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ...env },
    });
    let stderr = '';
    const url = await new Promise<string>((resolve, reject) => {
      child.stderr?.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        const m = /t1c api listening on (https?:\/\/\S+)/.exec(stderr);
        if (m?.[1] !== undefined) resolve(m[1]);
      });
      child.once('exit', (code) => reject(new Error(`t1c api exited with ${code}: ${stderr}`)));
    });
    return new ApiProcess(child, url, Number(new URL(url).port));
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.kill('SIGTERM');
    await exited;
  }
}
