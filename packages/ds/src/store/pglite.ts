import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PGlite, type Transaction } from '@electric-sql/pglite';
import type { Database, Queryable } from './db.js';
import { restrictTree } from './private-files.js';

function wrap(target: PGlite | Transaction): Queryable {
  return {
    async query<R>(sql: string, params: readonly unknown[] = []): Promise<R[]> {
      const result = await target.query<R>(sql, [...params]);
      return result.rows;
    },
    async exec(sql: string): Promise<void> {
      await target.exec(sql);
    },
  };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * The embedded database belongs to one process; a second DS on the same directory would
 * corrupt it, so it is refused (use PostgreSQL for several processes).
 */
function lock(path: string): () => void {
  try {
    writeFileSync(path, String(process.pid), { flag: 'wx', mode: 0o600 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    const owner = Number(readFileSync(path, 'utf8'));
    if (Number.isInteger(owner) && owner > 0 && alive(owner)) {
      throw new Error(`the embedded database in ${path.replace(/\.lock$/, '')} is in use by process ${owner}; use --database-url for several DS processes`);
    }
    writeFileSync(path, String(process.pid), { mode: 0o600 });
  }
  return () => rmSync(path, { force: true });
}

/** Embedded PostgreSQL (WASM) kept in `<dataDir>/pglite`: zero setup for one machine. */
export async function openPglite(dataDir: string): Promise<Database> {
  const dir = join(dataDir, 'pglite');
  // The database holds credentials: nothing PGlite writes from now on is for other users.
  process.umask(0o077);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const unlock = lock(`${dir}.lock`);
  let db: PGlite;
  try {
    db = await PGlite.create(dir);
    restrictTree(dir);
  } catch (error) {
    unlock();
    throw error;
  }
  const base = wrap(db);
  return {
    kind: 'pglite',
    query: base.query,
    exec: base.exec,
    transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
      return db.transaction((tx) => fn(wrap(tx)));
    },
    async close(): Promise<void> {
      try {
        await db.close();
        restrictTree(dir);
      } finally {
        unlock();
      }
    },
  };
}
