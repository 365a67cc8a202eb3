import pg from 'pg';
import type { Database, Queryable } from './db.js';
import { DsError } from '../errors.js';

const INT8_OID = 20;

/** Connection-level SQLSTATE classes: 08 connection, 57P admin shutdown/crash, 53 resources. */
function isUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as Error & { code?: unknown }).code;
  if (typeof code === 'string') {
    if (code.startsWith('08') || code.startsWith('57P') || code === '53300') return true;
    if (['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH'].includes(code)) return true;
  }
  return /Connection terminated|connection timeout|Query read timeout|Client has encountered a connection error|not queryable/i.test(error.message);
}

/** Rewrites driver-level outages as the typed 503 the error handler understands. */
async function guard<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (isUnavailable(error)) throw new DsError('dbUnavailable', undefined, 5);
    throw error;
  }
}

function wrap(client: pg.Pool | pg.PoolClient): Queryable {
  return {
    async query<R>(sql: string, params: readonly unknown[] = []): Promise<R[]> {
      const result = await client.query(sql, [...params]);
      return result.rows as R[];
    },
    async exec(sql: string): Promise<void> {
      await client.query(sql);
    },
  };
}

export async function openPostgres(url: string): Promise<Database> {
  const pool = new pg.Pool({
    connectionString: url,
    max: 10,
    connectionTimeoutMillis: 3000,
    // A server that stops answering (not just refusing) must also end in a 503, not a hang.
    query_timeout: 10_000,
    idleTimeoutMillis: 10_000,
    // Counts are int8; both drivers must hand the layers above plain numbers.
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === INT8_OID ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format ?? 'text')) as typeof pg.types.getTypeParser,
    },
  });
  // An idle client losing its server must not crash the process; the next query reconnects.
  pool.on('error', () => undefined);
  const base = wrap(pool);
  return {
    kind: 'postgres',
    query: <R>(sql: string, params?: readonly unknown[]) => guard(() => base.query<R>(sql, params)),
    exec: (sql: string) => guard(() => base.exec(sql)),
    transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
      return guard(async () => {
        const client = await pool.connect();
        let broken = false;
        try {
          await client.query('BEGIN');
          const result = await fn(wrap(client));
          await client.query('COMMIT');
          return result;
        } catch (error) {
          broken = isUnavailable(error);
          if (!broken) await client.query('ROLLBACK').catch(() => undefined);
          throw error;
        } finally {
          client.release(broken);
        }
      });
    },
    async close(): Promise<void> {
      await pool.end();
    },
  };
}
