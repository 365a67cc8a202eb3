/**
 * The card modules the connector knows, by their T1C module name (t1c-api.md §2.2), with the
 * text `/v3/readers` shows for a card of that module. Each has its ops in `<name>.ts`.
 */
export const CARD_MODULES = {
  beid: { description: 'Belgium Electronic ID card' },
  emv: { description: 'EMV payment card' },
  pkcs11: { description: 'PKCS#11 token' },
  remoteloading: { description: 'Remote loading (APDUs from the application backend)' },
} as const satisfies Record<string, { description: string }>;

export type CardModuleName = keyof typeof CARD_MODULES;
export const CARD_MODULE_NAMES = Object.keys(CARD_MODULES) as [CardModuleName, ...CardModuleName[]];

export function isCardModuleName(name: string): name is CardModuleName {
  return Object.hasOwn(CARD_MODULES, name);
}
