import { atrMatches } from '@t1c/smartcard/codec';
import { CARD_MODULES, type AtrEntry, type CardModuleName } from '../ipc/index.js';
import { beidModule } from './beid/module.js';
import { emvModule } from './emv/module.js';
import type { AnyCardModule, CardContext } from './card-module.js';

/** Probed ATRs kept for the table: bank cards come in thousands of ATRs, a desk sees a few. */
const MAX_PROBED_ATRS = 64;

/**
 * The sandbox's card modules and their ATR table. The first row that matches a card's ATR
 * names its module; the table is data, in module order, so `/atrs` shows it as it is used.
 */
export class CardModuleRegistry {
  private readonly byName = new Map<CardModuleName, AnyCardModule>();
  /** ATRs of cards a probe recognised (hex → module), shown in the table after its own rows. */
  private readonly probed = new Map<string, CardModuleName>();

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
  async probe(card: CardContext, atrHex: string): Promise<CardModuleName | undefined> {
    for (const module of this.modules) {
      if (!module.probe) continue;
      try {
        if (await module.probe(card)) {
          if (this.probed.size < MAX_PROBED_ATRS) this.probed.set(atrHex, module.name);
          return module.name;
        }
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

  /**
   * The ATR rows, then the ATRs of cards probing recognised: those name their module for the
   * cards seen, but never claim a card by ATR (another card may share the ATR).
   */
  atrTable(): AtrEntry[] {
    const rows = this.modules.flatMap((m) => m.atrs.map((row) => ({ atr: row.atr, module: m.name, moduleDescription: row.description })));
    const seen = [...this.probed].map(([atr, module]) => ({ atr, module, moduleDescription: `${CARD_MODULES[module].description} (recognised by probing the card)` }));
    return [...rows, ...seen];
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
