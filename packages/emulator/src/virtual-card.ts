/**
 * The in-process virtual eID alone (`@t1c/emulator/virtual-card`), for the connector's
 * `--virtual-card`: without the vpcd link or the pcscd test harness of the full index.
 */
export { BeidVirtualCard, type BeidVirtualCardOptions } from './beid/beid-virtual-card.js';
export { parseHolderData } from './beid/holder-data-format.js';
