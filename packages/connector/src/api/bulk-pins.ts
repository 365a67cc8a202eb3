/**
 * PINs kept for bulk signing (`sign?bulk=true`) until `reset-bulk-pin`: the only place a PIN
 * outlives its request, by the caller's explicit choice. Copies in, copies out, wiped on reset.
 */
export class BulkPins {
  private readonly pins = new Map<string, Uint8Array>();

  remember(readerId: string, pin: Uint8Array): void {
    this.pins.get(readerId)?.fill(0);
    this.pins.set(readerId, Uint8Array.from(pin));
  }

  /** A copy the caller wipes after use. */
  recall(readerId: string): Uint8Array | undefined {
    const pin = this.pins.get(readerId);
    return pin ? Uint8Array.from(pin) : undefined;
  }

  forget(readerId: string): void {
    this.pins.get(readerId)?.fill(0);
    this.pins.delete(readerId);
  }

  reset(): void {
    for (const pin of this.pins.values()) pin.fill(0);
    this.pins.clear();
  }
}
