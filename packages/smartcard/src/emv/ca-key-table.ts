import { createHash } from 'node:crypto';
import { fromHex, toHex } from '../codec/hex.js';
import type { EmvCertificationAuthorityKey } from './certificates.js';

/** A CA public key as a payment scheme publishes it to acquirers (EMV Book 2 §5.1 and Annex A2). */
export interface PaymentSchemeCaKey {
  /** Who publishes it ("Visa", or "test" for a test CA): for people, never for lookup. */
  readonly scheme: string;
  /** Registered application provider identifier: 5 bytes, upper-case hex. */
  readonly rid: string;
  /** CA public key index (tag 8F). */
  readonly index: number;
  readonly bits: number;
  /** Last day the key may be used (YYYY-MM-DD): after it, terminals must not use it. */
  readonly expiry: string;
  readonly modulus: string;
  readonly exponent: string;
  /** SHA-1 over RID ‖ index ‖ modulus ‖ exponent, upper-case hex, as published with the key. */
  readonly checksum: string;
}

export type CaKeyLookup =
  | { readonly status: 'found'; readonly key: EmvCertificationAuthorityKey }
  | { readonly status: 'unknown' }
  | { readonly status: 'expired'; readonly expiry: string };

const RID = /^[0-9A-F]{10}$/;
const HEX = /^(?:[0-9A-F]{2})+$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Book 2 Annex A2: the checksum the schemes publish with each key, to catch a key copied wrong. */
export function caKeyChecksum(key: Pick<PaymentSchemeCaKey, 'rid' | 'index' | 'modulus' | 'exponent'>): string {
  return toHex(createHash('sha1').update(fromHex(key.rid)).update(Uint8Array.of(key.index)).update(fromHex(key.modulus)).update(fromHex(key.exponent)).digest());
}

function isCalendarDate(text: string): boolean {
  if (!DATE.test(text)) return false;
  const date = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(text);
}

/** What is wrong with a published key (format, length, exponent, checksum), or undefined when nothing is. */
export function caKeyProblem(key: PaymentSchemeCaKey): string | undefined {
  const name = `${key.scheme} ${key.rid}/${key.index.toString(16).toUpperCase().padStart(2, '0')}`;
  if (!RID.test(key.rid)) return `${name}: the RID must be 5 bytes of upper-case hex`;
  if (!Number.isInteger(key.index) || key.index < 0 || key.index > 0xff) return `${name}: the index must be one byte`;
  if (!HEX.test(key.modulus) || !HEX.test(key.exponent) || !HEX.test(key.checksum)) return `${name}: modulus, exponent and checksum must be upper-case hex`;
  if (key.modulus.length * 4 !== key.bits) return `${name}: the modulus has ${key.modulus.length * 4} bits, not ${key.bits}`;
  // Book 2 §5.1: CA keys are at most 248 bytes (1984 bits) with exponent 3 or 2^16+1.
  if (key.bits > 1984 || key.bits < 512) return `${name}: a CA key has 512 to 1984 bits`;
  if (key.exponent !== '03' && key.exponent !== '010001') return `${name}: the exponent must be 3 or 65537`;
  if (!isCalendarDate(key.expiry)) return `${name}: the expiry must be a date, YYYY-MM-DD`;
  const actual = caKeyChecksum(key);
  if (actual !== key.checksum) return `${name}: the checksum ${key.checksum} does not match the key (SHA-1 ${actual}): the key was copied wrong`;
  return undefined;
}

/**
 * A terminal's CA public key table (Book 2 §11.2): one key per (RID, index), each checked
 * against its published checksum when added, and never used after its expiry date.
 */
export class EmvCaKeyTable {
  private readonly byName = new Map<string, EmvCertificationAuthorityKey>();

  /** Refuses a key with a wrong checksum or format and a second key under the same RID and index. */
  constructor(keys: readonly PaymentSchemeCaKey[]) {
    for (const key of keys) {
      const problem = caKeyProblem(key);
      if (problem) throw new RangeError(problem);
      this.add({ rid: key.rid, index: key.index, modulus: fromHex(key.modulus), exponent: fromHex(key.exponent), expiry: key.expiry });
    }
  }

  /** Keys given as bytes (a test CA made in the process); they never expire unless they say so. */
  static ofKeys(keys: readonly EmvCertificationAuthorityKey[]): EmvCaKeyTable {
    const table = new EmvCaKeyTable([]);
    for (const key of keys) table.add(key);
    return table;
  }

  private add(key: EmvCertificationAuthorityKey): void {
    const name = `${key.rid.toUpperCase()}:${key.index}`;
    if (this.byName.has(name)) throw new RangeError(`two CA keys under RID ${key.rid.toUpperCase()} and index ${key.index.toString(16).toUpperCase().padStart(2, '0')}`);
    this.byName.set(name, key);
  }

  get size(): number {
    return this.byName.size;
  }

  /** The key under (RID, index) usable on `on` (the transaction date), or why there is none. */
  find(rid: string, index: number, on: Date): CaKeyLookup {
    const key = this.byName.get(`${rid.toUpperCase()}:${index}`);
    if (!key) return { status: 'unknown' };
    if (key.expiry !== undefined && on.toISOString().slice(0, 10) > key.expiry) return { status: 'expired', expiry: key.expiry };
    return { status: 'found', key };
  }
}
