import { BEID_APPLETS, BeidCard, readAll, type BeidReadout } from '@t1c/smartcard/beid';
import type { AtrRow, CardModule } from '../card-module.js';
import { toContractReadout } from './to-contract.js';

/** One row per applet leaf, oldest first, as `/atrs` has always listed them. */
const ATRS: readonly AtrRow[] = BEID_APPLETS.map((a) => ({ atr: a.atr, pattern: a.atrPattern, description: a.description }));

/**
 * The Belgian eID card module: one handler per op of the contract's `beid` table. A full read
 * is kept per reader for the insertion it was read from, and reused only while the reader
 * reports that same insertion and GET CARD DATA still shows the same chip: a card taken out and
 * put back (an address may have been rewritten meanwhile) is read again.
 */
export function beidModule(): CardModule<'beid'> {
  const cache = new Map<string, { readonly insertion: string; readonly readout: BeidReadout }>();
  return {
    name: 'beid',
    atrs: ATRS,
    ops: {
      read: async ({ session, readerName, insertion }) => {
        const card = BeidCard.open(session);
        const now = await insertion();
        const cached = cache.get(readerName);
        if (cached && now !== undefined && cached.insertion === now) {
          const data = await card.readCardData();
          if (data.serialNumber === cached.readout.cardData.serialNumber) {
            return toContractReadout({ ...cached.readout, cardData: data, apduCount: card.session.apduCount });
          }
        }
        cache.delete(readerName);
        const readout = await readAll(card);
        if (now !== undefined) cache.set(readerName, { insertion: now, readout });
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
