import { BEID_APPLETS, BeidCard, readAll, type BeidReadout } from '@t1c/smartcard/beid';
import type { AtrRow, CardContext, CardModule } from '../card-module.js';
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
  /**
   * Nothing kept for the reader: nothing to compare, so the insertion is asked for while the
   * card is read (one PC/SC round trip less before the first APDU) and only keys what is kept.
   * Awaited after the read, so the session is never left with a call in flight.
   */
  const readFresh = async (card: BeidCard, readerName: string, insertion: CardContext['insertion']): Promise<BeidReadout> => {
    const asked = insertion();
    asked.catch(() => undefined);
    const readout = await readAll(card);
    const now = await asked;
    if (now !== undefined) cache.set(readerName, { insertion: now, readout });
    return readout;
  };
  return {
    name: 'beid',
    atrs: ATRS,
    ops: {
      read: async ({ session, readerName, insertion }) => {
        const card = BeidCard.open(session);
        const cached = cache.get(readerName);
        if (!cached) return toContractReadout(await readFresh(card, readerName, insertion));
        const now = await insertion();
        if (now !== undefined && cached.insertion === now) {
          const data = await card.readCardData();
          if (data.serialNumber === cached.readout.cardData.serialNumber) {
            return toContractReadout({ ...cached.readout, cardData: data, apduCount: card.session.apduCount });
          }
        }
        cache.delete(readerName);
        return toContractReadout(await readFresh(card, readerName, insertion));
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
