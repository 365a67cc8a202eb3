import { BEID_APPLETS, BeidCard, readAll, type BeidReadout } from '@t1c/smartcard/beid';
import type { AtrRow, CardModule } from '../card-module.js';
import { toContractReadout } from './to-contract.js';

/** One row per applet leaf, oldest first, as `/atrs` has always listed them. */
const ATRS: readonly AtrRow[] = BEID_APPLETS.map((a) => ({ atr: a.atr, pattern: a.atrPattern, description: a.description }));

/**
 * The Belgian eID card module: one handler per op of the contract's `beid` table. Full reads
 * are kept per reader and reused while GET CARD DATA shows the same chip.
 */
export function beidModule(): CardModule<'beid'> {
  const cache = new Map<string, BeidReadout>();
  return {
    name: 'beid',
    atrs: ATRS,
    ops: {
      read: async ({ session, readerName }) => {
        const card = BeidCard.open(session);
        const cached = cache.get(readerName);
        if (cached) {
          const data = await card.readCardData();
          if (data.serialNumber === cached.cardData.serialNumber) {
            return toContractReadout({ ...cached, cardData: data, apduCount: card.session.apduCount });
          }
        }
        const readout = await readAll(card);
        cache.set(readerName, readout);
        return toContractReadout(readout);
      },
      verifyPin: async ({ session }, { pin }) => {
        await BeidCard.open(session).verifyPin(pin);
        return { verified: true };
      },
      sign: async ({ session }, { key, algorithm, digest, pin }) => {
        const signature = await BeidCard.open(session).sign({ key, algorithm, digest, ...(pin ? { pin } : {}) });
        return { signature };
      },
    },
    forget: (readerName) => {
      cache.delete(readerName);
    },
    close: async () => {
      cache.clear();
    },
  };
}
