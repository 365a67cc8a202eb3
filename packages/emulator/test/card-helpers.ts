import { fromHex, parseResponse, toHex } from '@t1c/smartcard';
import type { BeidVirtualCard } from '../src/index.js';

/** Sends raw hex to the card and returns the answer as { data hex, sw hex }. */
export async function send(card: BeidVirtualCard, hex: string): Promise<{ data: string; sw: string; bytes: Uint8Array }> {
  const answer = parseResponse(await card.process(fromHex(hex)));
  return { data: toHex(answer.data), sw: answer.sw.toString(16).toUpperCase().padStart(4, '0'), bytes: answer.data };
}

export function pinBlockHex(pin: string): string {
  const digits = pin + 'F'.repeat(14 - pin.length);
  return (0x20 + pin.length).toString(16).toUpperCase() + digits;
}
