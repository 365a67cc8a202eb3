import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chownSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freePort } from './ports.js';

const BIN = '/usr/lib/postgresql/15/bin';

function postgresIds(): { uid: number; gid: number } {
  return {
    uid: Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim()),
    gid: Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim()),
  };
}

/**
 * A private PostgreSQL 15 server for one test file or benchmark: its own data directory,
 * socket directory and loopback port. The postmaster is spawned directly as the postgres
 * user (setuid by node, equivalent to `runuser -u postgres --`) so the PID we hold is the
 * server's own and stopping it never depends on a wrapper forwarding signals.
 */
export class PostgresServer {
  private child: ChildProcess | null = null;

  private constructor(readonly dir: string, readonly port: number, private readonly ids: { uid: number; gid: number }) {}

  static async start(): Promise<PostgresServer> {
    const dir = mkdtempSync(join(tmpdir(), 't1c-ds-pg-'));
    const ids = postgresIds();
    chownSync(dir, ids.uid, ids.gid);
    execFileSync('runuser', ['-u', 'postgres', '--', `${BIN}/initdb`, '-D', join(dir, 'data'), '-A', 'trust', '-U', 'postgres', '--no-sync'], { stdio: 'ignore' });
    const server = new PostgresServer(dir, await freePort(), ids);
    await server.resume();
    return server;
  }

  url(database = 'postgres'): string {
    return `postgres://postgres@127.0.0.1:${this.port}/${database}`;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Starts (again) on the same data directory and port. */
  async resume(): Promise<void> {
    const child = spawn(`${BIN}/postgres`, ['-D', join(this.dir, 'data'), '-k', this.dir, '-h', '127.0.0.1', '-p', String(this.port), '-c', 'fsync=off', '-c', 'max_connections=200'], {
      uid: this.ids.uid, gid: this.ids.gid, stdio: 'ignore', env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C.UTF-8' },
    });
    this.child = child;
    const deadline = Date.now() + 30_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`postgres exited with ${child.exitCode}`);
      const client = new pg.Client({ connectionString: this.url(), connectionTimeoutMillis: 1000 });
      try {
        await client.connect();
        await client.end();
        return;
      } catch {
        await client.end().catch(() => undefined);
        if (Date.now() > deadline) throw new Error('postgres did not accept connections within 30 s');
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  }

  /** Fast shutdown (SIGINT) of our postmaster by its PID, waiting for it to exit. */
  async halt(): Promise<void> {
    const child = this.child;
    this.child = null;
    if (child === null || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGINT');
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    await exited;
    clearTimeout(timer);
  }

  async createDatabase(name: string): Promise<string> {
    const client = new pg.Client({ connectionString: this.url() });
    await client.connect();
    try {
      await client.query(`CREATE DATABASE "${name.replace(/"/g, '')}"`);
    } finally {
      await client.end();
    }
    return this.url(name);
  }

  async stop(): Promise<void> {
    await this.halt();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
