import { command, encodeCommand, parseResponse, type CommandApdu, type ResponseApdu } from '../codec/apdu.js';
import { concatBytes } from '../codec/hex.js';
import { bytesAvailable, correctLe } from '../codec/status-words.js';
import { SmartCardError } from '../errors.js';
import type { CardConnection, Disposition } from './types.js';

/** Cap on GET RESPONSE rounds, so a card that keeps answering 61xx cannot loop us forever. */
const MAX_CHAINED_RESPONSES = 64;

/**
 * The only way card modules talk to a card: exchanges whole APDUs, answers 61xx with GET
 * RESPONSE and 6Cxx with a repeat at the right Le (both T=0 rules, harmless if the reader
 * already did them), and counts what went over the wire.
 */
export class CardSession {
  private sent = 0;

  constructor(readonly connection: CardConnection) {}

  /** APDUs sent over the wire since this session started (GET RESPONSE and 6C repeats included). */
  get apduCount(): number {
    return this.sent;
  }

  private async exchange(apdu: CommandApdu): Promise<ResponseApdu> {
    this.sent++;
    return parseResponse(await this.connection.transmit(encodeCommand(apdu)));
  }

  async transmit(apdu: CommandApdu): Promise<ResponseApdu> {
    let response = await this.exchange(apdu);
    const le = correctLe(response.sw);
    if (le !== undefined) response = await this.exchange({ ...apdu, ne: le });
    const parts: Uint8Array[] = [response.data];
    for (let round = 0; ; round++) {
      const more = bytesAvailable(response.sw);
      if (more === undefined) break;
      if (round >= MAX_CHAINED_RESPONSES) {
        throw new SmartCardError('CARD_STATUS', 'card kept announcing more response data', { sw: response.sw });
      }
      response = await this.exchange(command(apdu.cla & 0x03, 0xc0, 0, 0, new Uint8Array(0), more));
      parts.push(response.data);
    }
    return { data: parts.length === 1 ? response.data : concatBytes(...parts), sw: response.sw };
  }

  /** Runs `work` inside a PC/SC transaction so no other application interleaves APDUs. */
  async inTransaction<T>(work: () => Promise<T>, disposition: Disposition = 'leave'): Promise<T> {
    await this.connection.beginTransaction();
    try {
      return await work();
    } finally {
      await this.connection.endTransaction(disposition).catch(() => undefined);
    }
  }
}
