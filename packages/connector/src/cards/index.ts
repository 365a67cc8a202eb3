export { LocalCardService, type LocalCardServiceOptions } from './local-card-service.js';
export { ReaderTracker } from './reader-tracker.js';
export { CardModuleRegistry, defaultRegistry } from './registry.js';
export type { CardModule, AnyCardModule, CardContext, AtrRow, OpHandler, ReaderAccess } from './card-module.js';
export { emvCaKeyTable } from './emv/ca-keys.js';
