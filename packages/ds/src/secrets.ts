import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * API keys and registration keys look like `<kind>_<keyId>.<secret>`: the key id (public,
 * 64 bits) finds the row, the 256-bit secret is only ever stored as a SHA-256 hash and
 * compared in constant time. The prefix lets secret scanners recognise leaked keys.
 */
export interface IssuedKey {
  keyId: string;
  secretHash: string;
  /** The full key, returned to the caller exactly once. */
  value: string;
}

export function issueKey(kind: 'ak' | 'rk'): IssuedKey {
  const keyId = randomBytes(8).toString('hex');
  const secret = randomBytes(32).toString('base64url');
  return { keyId, secretHash: hashSecret(secret), value: `t1c${kind}_${keyId}.${secret}` };
}

export { parseKey } from './client/key-format.js';

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

/** Compares hashes, never raw secrets, so lengths are fixed and timing reveals nothing. */
export function secretMatches(secret: string, storedHash: string): boolean {
  const a = Buffer.from(hashSecret(secret), 'hex');
  const b = Buffer.from(storedHash, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}

export function randomToken(): string {
  return randomBytes(32).toString('base64url');
}
