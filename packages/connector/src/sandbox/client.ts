import { spawn, type ChildProcess } from 'node:child_process';
import { T1CError } from '../api/errors.js';
import { IPC_SERIALIZATION, isSandboxErrorCode, readySchema, responseSchema, SandboxError, type SandboxRequest } from '../ipc/index.js';

export interface SandboxSpawn {
  readonly command: string;
  readonly args: readonly string[];
  readonly env?: NodeJS.ProcessEnv;
}

export interface SandboxClientOptions {
  readonly spawn: SandboxSpawn;
  readonly onEvent?: (event: 'started' | 'exited' | 'restarting', detail: Record<string, string | number | null>) => void;
}

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
}

type Call = Omit<SandboxRequest, 'id'>;

const MAX_BACKOFF_MS = 5000;
const STABLE_MS = 10_000;
const START_TIMEOUT_MS = 30_000;

/**
 * The API side of the sandbox: spawns `t1c sandbox`, matches answers to requests by id with a
 * per-request timeout, and restarts the child with exponential backoff when it dies. Requests
 * in flight when it dies fail with SANDBOX_UNAVAILABLE; later ones wait for the new child.
 */
export class SandboxClient {
  private child: ChildProcess | undefined;
  private ready: Promise<void> | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private failures = 0;
  private closing = false;
  private restartTimer: NodeJS.Timeout | undefined;
  pcsc: 'up' | 'down' | 'off' = 'off';

  constructor(private readonly options: SandboxClientOptions) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  start(): Promise<void> {
    this.ready ??= this.spawnChild();
    return this.ready;
  }

  private spawnChild(): Promise<void> {
    const { command, args, env } = this.options.spawn;
    const child = spawn(command, [...args], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], serialization: IPC_SERIALIZATION, env: env ?? process.env });
    this.child = child;
    const startedAt = Date.now();
    const ready = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new T1CError('SANDBOX_UNAVAILABLE', 'The card service did not start')), START_TIMEOUT_MS);
      child.on('message', (message: unknown) => {
        const isReady = readySchema.safeParse(message);
        if (isReady.success) {
          clearTimeout(timer);
          this.pcsc = isReady.data.pcsc;
          this.options.onEvent?.('started', { pid: child.pid ?? null });
          resolve();
          return;
        }
        this.settle(message);
      });
      child.on('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new T1CError('SANDBOX_UNAVAILABLE'));
        this.onExit(child, code, signal, Date.now() - startedAt);
      });
      child.on('error', () => undefined);
    });
    ready.catch(() => undefined);
    return ready;
  }

  private settle(message: unknown): void {
    const parsed = responseSchema.safeParse(message);
    if (!parsed.success) return;
    const entry = this.pending.get(parsed.data.id);
    if (!entry) return;
    this.pending.delete(parsed.data.id);
    clearTimeout(entry.timer);
    if (parsed.data.ok) {
      entry.resolve(parsed.data.result);
      return;
    }
    const { code, message: text, details } = parsed.data.error;
    entry.reject(isSandboxErrorCode(code) ? new SandboxError(code, text, details) : new T1CError('INTERNAL'));
  }

  private onExit(child: ChildProcess, code: number | null, signal: NodeJS.Signals | null, livedMs: number): void {
    if (this.child !== child) return;
    this.child = undefined;
    this.ready = undefined;
    for (const [id, entry] of this.pending) {
      clearTimeout(entry.timer);
      entry.reject(new T1CError('SANDBOX_UNAVAILABLE'));
      this.pending.delete(id);
    }
    this.options.onEvent?.('exited', { code, signal });
    if (this.closing) return;
    this.failures = livedMs > STABLE_MS ? 1 : this.failures + 1;
    const delay = Math.min(MAX_BACKOFF_MS, 100 * 2 ** (this.failures - 1));
    this.options.onEvent?.('restarting', { delayMs: delay });
    // Until the timer fires, callers wait on this promise rather than failing.
    let release: () => void = () => undefined;
    this.ready = new Promise<void>((resolve) => (release = resolve)).then(() => this.spawnChild());
    this.ready.catch(() => undefined);
    this.restartTimer = setTimeout(release, delay);
  }

  /** Sends one request; the timeout also kills a sandbox stuck in native code. */
  async call(request: Call, timeoutMs: number): Promise<unknown> {
    if (this.closing) throw new T1CError('SANDBOX_UNAVAILABLE');
    await this.start();
    const child = this.child;
    if (!child?.connected) throw new T1CError('SANDBOX_UNAVAILABLE');
    const id = this.nextId++;
    const message: SandboxRequest = { ...request, id };
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new T1CError('SANDBOX_TIMEOUT'));
        child.kill('SIGKILL');
      }, timeoutMs);
      this.pending.set(id, { resolve, reject, timer });
      child.send(message, (error) => {
        if (!error) return;
        clearTimeout(timer);
        this.pending.delete(id);
        reject(new T1CError('SANDBOX_UNAVAILABLE'));
      });
    });
  }

  async close(): Promise<void> {
    this.closing = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.disconnect();
    const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
    await exited;
    clearTimeout(timer);
  }
}
