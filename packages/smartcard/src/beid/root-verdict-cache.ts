import { createHash } from 'node:crypto';

const MAX_ENTRIES = 32;

/**
 * The root-signs-RRN verdict depends only on the two certificates' bytes, and checking it is
 * the costliest part of a read; a card read again (same RRN certificate, same root) reuses it.
 * Only passes are remembered, so a failure is always checked afresh and never served as a pass.
 */
const passed = new Set<string>();

function pairKey(rrnDer: Uint8Array, rootDer: Uint8Array): string {
  const hash = createHash('sha256');
  // Length prefixes keep (a, bc) and (ab, c) apart.
  for (const der of [rrnDer, rootDer]) hash.update(Uint8Array.of(der.length >>> 24, der.length >>> 16, der.length >>> 8, der.length)).update(der);
  return hash.digest('base64');
}

export function rootVerdictCached(rrnDer: Uint8Array, rootDer: Uint8Array): boolean {
  return passed.has(pairKey(rrnDer, rootDer));
}

export function rememberRootPass(rrnDer: Uint8Array, rootDer: Uint8Array): void {
  const key = pairKey(rrnDer, rootDer);
  passed.delete(key);
  passed.add(key);
  // Oldest first in insertion order: drop it once the bound is passed.
  for (const oldest of passed) {
    if (passed.size <= MAX_ENTRIES) break;
    passed.delete(oldest);
  }
}
