import { BEID_ATR_1_7, BEID_ATR_1_8, BeidCard, beidAtrPatterns, readAll, type AppletVersion, type BeidReadout } from '@t1c/smartcard/beid';
import type { AtrRow, CardModule } from '../card-module.js';
import { toContractReadout } from './to-contract.js';

const SHOWN: Record<AppletVersion, { atr: string; description: string }> = {
  '1.7': { atr: BEID_ATR_1_7, description: 'Belgian eID (applet 1.1-1.7, RSA)' },
  '1.8': { atr: BEID_ATR_1_8, description: 'Belgian eID (applet 1.8, EC P-384)' },
};

/** Oldest applet first, as `/atrs` has always listed them. */
const ATRS: readonly AtrRow[] = (['1.7', '1.8'] as const).flatMap((applet) =>
  beidAtrPatterns.filter((p) => p.applet === applet).map((p) => ({ ...SHOWN[applet], pattern: p.pattern })));

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
