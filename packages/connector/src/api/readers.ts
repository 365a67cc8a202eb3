import type { ReaderInfo } from '../cards/index.js';
import { T1CError } from './errors.js';
import type { ApiCards } from './context.js';

/** `CardReader` of t1c-api.md §2.1: both `module` (docs) and `modules` (SDK model) are sent. */
export interface CardReader {
  id: string;
  name: string;
  pinpad: boolean;
  card?: { atr: string; description: string[]; module: string[]; modules: string[] };
}

const DESCRIPTIONS: Record<string, string> = { beid: 'Belgium Electronic ID card' };

export function toCardReader(reader: ReaderInfo): CardReader {
  const out: CardReader = { id: reader.id, name: reader.name, pinpad: reader.pinpad };
  if (reader.card) {
    const modules = reader.card.module ? [reader.card.module] : [];
    out.card = {
      atr: reader.card.atr,
      description: modules.map((m) => DESCRIPTIONS[m] ?? m),
      module: modules,
      modules,
    };
  }
  return out;
}

/** The reader with a Belgian eID in it, or the T1C error saying why not. */
export async function beidReader(cards: ApiCards, readerId: string): Promise<ReaderInfo> {
  const { readers } = await cards.listReaders();
  const reader = readers.find((r) => r.id === readerId);
  if (!reader) throw new T1CError('READER_UNKNOWN');
  if (!reader.card) throw new T1CError('NO_CARD');
  if (reader.card.module !== 'beid') throw new T1CError('CARD_UNKNOWN');
  return reader;
}
