import { z } from 'zod';
import { CARD_MODULE_NAMES, CARD_MODULES, type CardModuleName, type ReaderInfo } from '../ipc/index.js';
import { T1CError } from './errors.js';
import type { ApiCards } from './context.js';

/**
 * `CardReader` of t1c-api.md §2.1: the card's module is named in both `module` (docs) and
 * `modules` (SDK model, RMC's `card.modules[0]`).
 */
export const cardReaderSchema = z.object({
  id: z.string(),
  name: z.string(),
  pinpad: z.boolean(),
  card: z.object({
    atr: z.string(),
    description: z.array(z.string()),
    module: z.array(z.enum(CARD_MODULE_NAMES)),
    modules: z.array(z.enum(CARD_MODULE_NAMES)),
  }).optional(),
});
export type CardReader = z.infer<typeof cardReaderSchema>;


export function toCardReader(reader: ReaderInfo): CardReader {
  const out: CardReader = { id: reader.id, name: reader.name, pinpad: reader.pinpad };
  if (reader.card) {
    const modules = reader.card.module ? [reader.card.module] : [];
    out.card = {
      atr: reader.card.atr,
      description: modules.map((m) => CARD_MODULES[m].description),
      module: modules,
      modules,
    };
  }
  return out;
}

/** The reader holding a card of `module`, or the T1C error saying why not. */
export async function moduleReader(cards: ApiCards, readerId: string, module: CardModuleName): Promise<ReaderInfo> {
  const { readers } = await cards.listReaders();
  const reader = readers.find((r) => r.id === readerId);
  if (!reader) throw new T1CError('READER_UNKNOWN');
  if (!reader.card) throw new T1CError('NO_CARD');
  if (reader.card.module !== module) {
    // The catalogue's text names the Belgian eID, the first module; others say which they are.
    throw module === 'beid' ? new T1CError('CARD_UNKNOWN') : new T1CError('CARD_UNKNOWN', `The card is not handled by the ${module} module`);
  }
  return reader;
}
