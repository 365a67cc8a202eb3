import { EmvStatus } from './emv-spec.js';

/** The reference PIN and its try counter (9F17). The counter survives resets; "verified" does not. */
export class EmvPinState {
  private tries: number;
  private verified = false;

  constructor(private readonly pin: string, readonly limit: number, triesLeft: number) {
    this.tries = triesLeft;
  }

  get triesLeft(): number {
    return this.tries;
  }

  get isVerified(): boolean {
    return this.verified;
  }

  reset(): void {
    this.verified = false;
  }

  /** Book 3 §6.5.12.4: 9000, 63Cx with x tries left, or 6983 once the counter is zero. */
  present(candidate: string): number {
    if (this.tries === 0) return EmvStatus.authenticationBlocked;
    if (candidate !== this.pin) {
      this.tries--;
      this.verified = false;
      return 0x63c0 | this.tries;
    }
    this.tries = this.limit;
    this.verified = true;
    return EmvStatus.ok;
  }
}
