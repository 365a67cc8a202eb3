import type { Connection } from './connection.js';
import { sdkError, T1cError } from './errors/t1c-error.js';
import type { CardReader } from './types/core.js';
import { deadline, sleep } from './util/abort.js';

export interface WaitForCardOptions {
  /** Give up after this long with a 'timeout' error; no limit when absent or 0. */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Only a card the connector recognises as this module (e.g. 'beid'). */
  module?: string;
  /** Only this reader. */
  readerId?: string;
  /** First poll interval; it grows by half each round up to `maxPollMs`. */
  pollMs?: number;
  maxPollMs?: number;
}

function matches(reader: CardReader, options: WaitForCardOptions): boolean {
  if (!reader.card) return false;
  if (options.readerId !== undefined && reader.id !== options.readerId) return false;
  if (options.module === undefined) return true;
  const modules = [...(reader.card.modules ?? []), ...(reader.card.module ?? [])];
  return modules.includes(options.module);
}

export async function listReaders(connection: Connection, query: Record<string, string | undefined>, signal?: AbortSignal): Promise<CardReader[]> {
  const data = await connection.call<unknown>('/v3/readers', { query, signal });
  if (!Array.isArray(data)) throw sdkError('invalid-response', 'The reader list is not an array');
  return data as CardReader[];
}

/** Errors worth another poll: the card service restarting says nothing about the card. */
const TRANSIENT = new Set(['service-unavailable', 'timeout']);

/**
 * Polls `/v3/readers?cardInserted=true` until a matching card is in a reader. The connector
 * has no event stream in the T1C API, so this is the least chatty way to wait: quick at
 * first (the card is usually already there), backing off while the user looks for it.
 */
export async function waitForCard(connection: Connection, options: WaitForCardOptions = {}): Promise<CardReader> {
  const until = deadline(options.timeoutMs, options.signal, 'Waiting for a card');
  const max = options.maxPollMs ?? 2000;
  let interval = options.pollMs ?? 250;
  try {
    for (;;) {
      try {
        const readers = await Promise.race([listReaders(connection, { cardInserted: 'true' }, until.signal), until.expired]);
        const found = readers.find((r) => matches(r, options));
        if (found) return found;
      } catch (error) {
        if (until.signal.aborted && until.signal.reason instanceof T1cError) throw until.signal.reason;
        if (!(error instanceof T1cError) || !TRANSIENT.has(error.kind)) throw error;
      }
      await sleep(interval, until);
      interval = Math.min(max, Math.ceil(interval * 1.5));
    }
  } finally {
    until.dispose();
  }
}
