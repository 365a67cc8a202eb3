import { createHash } from 'node:crypto';
import type { JWTPayload } from 'jose';
import { MAX_TOKEN_LIFETIME_S } from '@t1c/ds/client';
import { BoundedMap } from '../bounded-map.js';

interface Entry {
  readonly payload: JWTPayload;
  /** The key source the token verified with: the entry is void once it is no longer current. */
  readonly source: object;
  /** Epoch ms after which the token is verified again. */
  readonly until: number;
}

const keyOf = (token: string): string => createHash('sha256').update(token, 'utf8').digest('base64');

export interface VerifiedTokensOptions {
  readonly now?: () => number;
  /** Tokens kept at most; the oldest goes first. */
  readonly max?: number;
  /** How long a verification is reused at most, whatever the token's lifetime. */
  readonly maxReuseMs?: number;
}

/**
 * Tokens verified lately, keyed by the SHA-256 of their exact text (the bearer token itself is
 * never kept), so a page's every request does not check the same signature again. Only successes are kept, each until the soonest of its `exp`, its
 * `iat` + the longest lifetime allowed, and a short reuse bound; an entry counts only while the
 * key source that verified it is still the one in use (a DS sync that rotates keys voids it).
 * Claims that depend on the request (the Origin) are checked per request by the caller.
 */
export class VerifiedTokens {
  private readonly entries: BoundedMap<string, Entry>;
  private readonly now: () => number;
  private readonly maxReuseMs: number;

  constructor(options: VerifiedTokensOptions = {}) {
    this.now = options.now ?? Date.now;
    this.entries = new BoundedMap(options.max ?? 256);
    this.maxReuseMs = options.maxReuseMs ?? 60_000;
  }

  /** The payload of `token` if it verified with one of the `current` key sources and has not expired since. */
  get(token: string, current: readonly object[]): JWTPayload | undefined {
    const key = keyOf(token);
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (!current.includes(entry.source) || this.now() >= entry.until) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.payload;
  }

  /** Keeps a token that has just verified with `source` (exp and iat are required of every token). */
  remember(token: string, payload: JWTPayload, source: object): void {
    const { exp, iat } = payload;
    if (exp === undefined || iat === undefined) return;
    const until = Math.min(this.now() + this.maxReuseMs, exp * 1000, (iat + MAX_TOKEN_LIFETIME_S) * 1000);
    if (until <= this.now()) return;
    const key = keyOf(token);
    // Frozen: every request that reuses it gets the same object.
    this.entries.set(key, { payload: Object.freeze({ ...payload }), source, until });
  }
}
