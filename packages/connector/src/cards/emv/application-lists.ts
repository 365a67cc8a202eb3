import { EmvCard, type EmvApplicationList } from '@t1c/smartcard/emv';
import type { CardContext } from '../card-module.js';

/**
 * The application list per reader, for the card insertion it was read from (PC/SC's event
 * counter, as the eID readout): a second op on the same insertion sends no PPSE/PSE or
 * terminal-AID SELECTs, only the SELECT of the application it uses; a card taken out and put
 * back is a new insertion and is listed again. A failed listing is never kept.
 */
export class ApplicationLists {
  private readonly byReader = new Map<string, { readonly insertion: string; readonly list: EmvApplicationList }>();

  async of({ session, readerName, insertion }: CardContext): Promise<EmvApplicationList> {
    const now = await insertion();
    const kept = this.byReader.get(readerName);
    if (kept && now !== undefined && kept.insertion === now) return kept.list;
    this.byReader.delete(readerName);
    const list = await EmvCard.readApplicationList(session);
    if (now !== undefined) this.byReader.set(readerName, { insertion: now, list });
    return list;
  }

  forget(readerName: string): void {
    this.byReader.delete(readerName);
  }

  clear(): void {
    this.byReader.clear();
  }
}
