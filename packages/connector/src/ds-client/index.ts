export { DsSync, type DsSyncOptions } from './ds-sync.js';
export { TransactionCounters, type UseCase } from './counters.js';
