import { atrMatches } from '@t1c/smartcard/codec';
import type { AtrEntry, CardModuleName } from '../ipc/index.js';
import { beidModule } from './beid/module.js';
import { pkcs11Module } from './pkcs11/module.js';
import { remoteloadingModule } from './remoteloading/module.js';
import type { AnyCardModule } from './card-module.js';

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

  /** Modules that recognise their cards by probing them, in registry order. */
  probing(): AnyCardModule[] {
    return this.modules.filter((m) => m.probe !== undefined);
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

/** Every card module the connector ships, in ATR-table order. */
export function defaultRegistry(): CardModuleRegistry {
  return new CardModuleRegistry([beidModule(), pkcs11Module(), remoteloadingModule()]);
}
