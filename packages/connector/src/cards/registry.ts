import { atrMatches } from '@t1c/smartcard/codec';
import type { AtrEntry, CardModuleName } from '../ipc/index.js';
import { beidModule } from './beid/module.js';
import { emvModule } from './emv/module.js';
import type { AnyCardModule, CardContext } from './card-module.js';

/**
 * The sandbox's card modules and their ATR table. The first row that matches a card's ATR
 * names its module; the table is data, in module order, so `/atrs` shows it as it is used.
 */
export class CardModuleRegistry {
  private readonly byName = new Map<CardModuleName, AnyCardModule>();

  constructor(readonly modules: readonly AnyCardModule[]) {
    for (const module of modules) {
      if (this.byName.has(module.name)) throw new RangeError(`card module ${module.name} registered twice`);
      this.byName.set(module.name, module);
    }
  }

  module(name: CardModuleName): AnyCardModule | undefined {
    return this.byName.get(name);
  }

  /** The module that claims a card with this ATR, or undefined. */
  recognise(atr: Uint8Array): CardModuleName | undefined {
    return this.modules.find((m) => m.atrs.some((row) => atrMatches(atr, row.pattern)))?.name;
  }

  /**
   * For a card no ATR row claimed: the first module whose probe accepts it. A probe that fails
   * (the card refuses, answers garbage) means "not mine", never an error for the listing.
   */
  async probe(card: CardContext): Promise<CardModuleName | undefined> {
    for (const module of this.modules) {
      if (!module.probe) continue;
      try {
        if (await module.probe(card)) return module.name;
      } catch {
        // Not this module's card.
      }
    }
    return undefined;
  }

  /** Whether any module recognises cards by probing them. */
  get probes(): boolean {
    return this.modules.some((m) => m.probe !== undefined);
  }

  atrTable(): AtrEntry[] {
    return this.modules.flatMap((m) => m.atrs.map((row) => ({ atr: row.atr, module: m.name, moduleDescription: row.description })));
  }

  forget(readerName: string): void {
    for (const module of this.modules) module.forget?.(readerName);
  }

  async close(): Promise<void> {
    await Promise.all(this.modules.map((m) => m.close?.()));
  }
}

/** Every card module the connector ships, in ATR-table order; probing modules after the ATR table. */
export function defaultRegistry(): CardModuleRegistry {
  return new CardModuleRegistry([beidModule(), emvModule()]);
}
