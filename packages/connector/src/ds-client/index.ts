export { DsSync, type DsSyncOptions } from './ds-sync.js';
export { counterApplication, TransactionCounters, type UseCase } from './counters.js';
export { dsLink, versionNotice, versionRefusal, type DsLink } from './ds-link.js';
export { RecentLogs } from './recent-logs.js';
