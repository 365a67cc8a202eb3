import type { ReaderInfo } from '../ipc/index.js';
import { callerKey, type Caller } from './caller.js';

export interface BulkPinPolicy {
  /** How long a kept PIN lives after the signature that gave it, whatever happens. */
  readonly lifetimeMs: number;
  /** Signatures one kept PIN may make, the one that gave it included. */
  readonly maxSignatures: number;
  readonly now: () => number;
}

interface Kept {
  readonly pin: Uint8Array;
  /** callerKey of the application + origin that gave it. */
  readonly owner: string;
  /** The card insertion it was given for. */
  readonly insertion: string;
  readonly expiresAt: number;
  signaturesLeft: number;
}

/**
 * Keys of PKCS#11 tokens: a slot is no PC/SC reader (reader ids never hold a colon), so reader
 * listings leave these alone; the token's serial number stands for its insertion instead.
 */
export const tokenBulkKey = (slotId: string): string => `pkcs11:${slotId}`;
const isTokenKey = (key: string): boolean => key.startsWith('pkcs11:');

/**
 * PINs kept for bulk signing (`sign?bulk=true`): the only place a PIN outlives its request, by
 * the caller's explicit choice. A kept PIN is bound to the application (JWT `sub`), the Origin
 * (or its absence) and the card insertion, lives `lifetimeMs` and `maxSignatures` signatures,
 * and is wiped on reset, on a listing that shows another (or no) card, and on any refusal.
 * Without an application (--no-jwt) nothing is kept: an Origin header alone is what any local
 * program can send, so it cannot stand for who typed the PIN.
 */
export class BulkPins {
  private readonly kept = new Map<string, Kept>();

  constructor(private readonly policy: BulkPinPolicy) {}

  /** Keeps a copy for the caller's next signatures on this card; false when it may not. */
  remember(readerId: string, caller: Caller, insertion: string, pin: Uint8Array): boolean {
    this.forget(readerId);
    if (caller.application === undefined || this.policy.maxSignatures < 2) return false;
    this.kept.set(readerId, {
      pin: Uint8Array.from(pin),
      owner: callerKey(caller),
      insertion,
      expiresAt: this.policy.now() + this.policy.lifetimeMs,
      signaturesLeft: this.policy.maxSignatures - 1,
    });
    return true;
  }

  /**
   * A copy the caller wipes after use, counted as one signature; undefined for anyone but the
   * owner (whose PIN stays), and once expired, used up or the card changed (then it is wiped).
   */
  take(readerId: string, caller: Caller, insertion: string): Uint8Array | undefined {
    const kept = this.kept.get(readerId);
    if (!kept) return undefined;
    if (kept.insertion !== insertion || this.policy.now() >= kept.expiresAt || kept.signaturesLeft <= 0) {
      this.forget(readerId);
      return undefined;
    }
    if (kept.owner !== callerKey(caller)) return undefined;
    const copy = Uint8Array.from(kept.pin);
    kept.signaturesLeft -= 1;
    if (kept.signaturesLeft <= 0) this.forget(readerId);
    return copy;
  }

  /** After a refusal: the caller's own kept PIN goes; another application's stays. */
  forgetFor(readerId: string, caller: Caller): void {
    if (this.kept.get(readerId)?.owner === callerKey(caller)) this.forget(readerId);
  }

  /** A fresh reader listing: PINs for readers gone, emptied or holding another insertion go. */
  observe(readers: readonly ReaderInfo[]): void {
    for (const [readerId, kept] of this.kept) {
      if (isTokenKey(readerId)) continue;
      const reader = readers.find((r) => r.id === readerId);
      if (reader?.card?.insertion !== kept.insertion) this.forget(readerId);
    }
  }

  private forget(readerId: string): void {
    this.kept.get(readerId)?.pin.fill(0);
    this.kept.delete(readerId);
  }

  reset(): void {
    for (const kept of this.kept.values()) kept.pin.fill(0);
    this.kept.clear();
  }
}
