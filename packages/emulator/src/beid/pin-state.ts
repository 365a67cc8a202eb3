import { SW } from '@t1c/smartcard/codec';

/**
 * The cardholder PIN (reference 01) and the access conditions it opens (beid-card.md §4):
 * key 82 needs a VERIFY at some earlier point ("PIN once"), key 83 a VERIFY right before the
 * signature ("PIN just before"); signing with 83 or a wrong PIN closes everything again.
 */
export const MAX_PIN_TRIES = 3;

export class PinState {
  private pin: string;
  private tries: number;
  private verified = false;
  /** Commands processed since the last successful VERIFY; undefined when none is pending. */
  private sinceVerify: number | undefined;

  constructor(pin: string, triesLeft: number) {
    this.pin = pin;
    this.tries = triesLeft;
  }

  get triesLeft(): number {
    return this.tries;
  }

  get blocked(): boolean {
    return this.tries === 0;
  }

  /** Volatile state only: reset, power-off, LOG OFF. */
  logOff(): void {
    this.verified = false;
    this.sinceVerify = undefined;
  }

  /** Called for every command, before it runs, so "just before" can count what came between. */
  commandArrived(): void {
    if (this.sinceVerify !== undefined) this.sinceVerify++;
  }

  status(): number {
    if (this.blocked) return SW.AUTH_METHOD_BLOCKED;
    return this.verified ? SW.OK : 0x63c0 | this.tries;
  }

  /** Checks a candidate PIN, spending a try when wrong. */
  present(candidate: string): number {
    if (this.blocked) return SW.AUTH_METHOD_BLOCKED;
    if (candidate !== this.pin) {
      this.tries--;
      this.logOff();
      return this.tries === 0 ? SW.AUTH_METHOD_BLOCKED : 0x63c0 | this.tries;
    }
    this.tries = MAX_PIN_TRIES;
    this.verified = true;
    this.sinceVerify = 0;
    return SW.OK;
  }

  change(oldPin: string, newPin: string): number {
    const sw = this.present(oldPin);
    if (sw === SW.OK) this.pin = newPin;
    return sw;
  }

  /**
   * May the key sign now? `allowedBetween` is how many commands may sit between VERIFY and
   * PSO for the non-repudiation key: none on 1.7, one on 1.8 (RM18 §5.1.2).
   */
  authorises(key: 'authentication' | 'nonRepudiation', allowedBetween: number): boolean {
    if (key === 'authentication') return this.verified;
    // The PSO itself was counted by commandArrived, hence the + 1.
    return this.verified && this.sinceVerify !== undefined && this.sinceVerify <= allowedBetween + 1;
  }

  /** After a non-repudiation signature the authentication key needs a fresh VERIFY too ("PIN mixed"). */
  nonRepudiationUsed(): void {
    this.logOff();
  }

  /** MSE, INTERNAL AUTHENTICATE and another PSO end a pending non-repudiation window. */
  closeJustBeforeWindow(): void {
    this.sinceVerify = undefined;
  }
}

/** Decodes a GlobalPlatform format-2 block (`2L DD DD … FF`) to its digits, or undefined if malformed. */
export function decodePinBlock(block: Uint8Array): string | undefined {
  if (block.length !== 8) return undefined;
  const head = block[0] ?? 0;
  const length = head & 0x0f;
  if (head >> 4 !== 2 || length < 4 || length > 12) return undefined;
  let digits = '';
  for (let i = 0; i < 14; i++) {
    const byte = block[1 + (i >> 1)] ?? 0xff;
    const nibble = i % 2 === 0 ? byte >> 4 : byte & 0x0f;
    if (i < length) {
      if (nibble > 9) return undefined;
      digits += String(nibble);
    } else if (nibble !== 0x0f) {
      return undefined;
    }
  }
  return digits;
}
