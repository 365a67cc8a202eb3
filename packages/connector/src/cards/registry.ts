import { atrMatches } from '@t1c/smartcard/codec';
import { CARD_MODULES, type AtrEntry, type CardModuleName } from '../ipc/index.js';
import { beidModule } from './beid/module.js';
import { emvModule, type EmvModuleOptions } from './emv/module.js';
import { pkcs11Module } from './pkcs11/module.js';
import { remoteloadingModule } from './remoteloading/module.js';
import type { AnyCardModule } from './card-module.js';

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

  /** Modules that recognise their cards by probing them, in registry order. */
  probing(): AnyCardModule[] {
    return this.modules.filter((m) => m.probe !== undefined);
  }

  /** Notes the ATR of a card a probe recognised, for the table (never for recognition). */
  rememberProbed(atrHex: string, module: CardModuleName): void {
    if (this.probed.size < MAX_PROBED_ATRS || this.probed.has(atrHex)) this.probed.set(atrHex, module);
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
export function defaultRegistry(options: { readonly emv?: EmvModuleOptions } = {}): CardModuleRegistry {
  return new CardModuleRegistry([beidModule(), pkcs11Module(), remoteloadingModule(), emvModule(options.emv)]);
}
