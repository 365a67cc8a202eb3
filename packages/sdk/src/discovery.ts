import { asRecord } from './errors/from-response.js';
import { sdkError, T1cError } from './errors/t1c-error.js';
import type { Transport } from './http/transport.js';
import type { InfoResponse } from './types/core.js';

/** Our connector's default: plain HTTP on loopback is a secure context, no certificate needed. */
export const DEFAULT_CANDIDATES: readonly string[] = ['http://127.0.0.1:51983'];

/** Failures that mean "nothing usable at this URL", so the next candidate is tried. */
const TRY_NEXT = new Set(['connector-not-running', 'permission-denied', 'timeout', 'invalid-response', 'not-found']);

/** `/info` is bare (t1c-api.md §2.1); SDK ≥ 3.7 also takes it wrapped in `data`. */
export function parseInfo(body: unknown): InfoResponse {
  const record = asRecord(body);
  const bare = asRecord(record?.t1CInfoAPI) ? record : asRecord(record?.data);
  if (!bare || !asRecord(bare.t1CInfoAPI)) throw sdkError('invalid-response', 'The answer to /info is not a T1C InfoResponse');
  return bare as InfoResponse;
}

export function normaliseCandidate(candidate: string): string {
  let url: URL;
  try {
    url = new URL(candidate);
  } catch {
    throw new TypeError(`Not a connector URL: ${candidate}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new TypeError(`Not an http(s) URL: ${candidate}`);
  return url.origin;
}

export interface Discovered {
  readonly transport: Transport;
  readonly info: InfoResponse;
}

/**
 * Asks each candidate for `/info` in order, each within its own timeout; the first that
 * answers like a T1C connector wins. A connector that answers with an error (JWT refused,
 * origin not allowed) wins too: that error is the one the page must see.
 */
export async function discover(transports: readonly Transport[], timeoutMs: number, signal: AbortSignal | undefined): Promise<Discovered> {
  const failures: T1cError[] = [];
  for (const transport of transports) {
    try {
      const info = parseInfo(await transport.request('/info', { timeoutMs, signal }));
      return { transport, info };
    } catch (error) {
      if (!(error instanceof T1cError) || !TRY_NEXT.has(error.kind)) throw error;
      failures.push(error);
    }
  }
  const tried = transports.map((t) => t.baseUrl).join(', ');
  if (failures.some((f) => f.kind === 'permission-denied')) {
    throw sdkError('permission-denied', `The browser does not allow this page to reach the connector (tried ${tried})`, { cause: failures });
  }
  throw sdkError('connector-not-running', `No connector answered at ${tried}`, { cause: failures });
}
