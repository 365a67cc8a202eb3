import type { SyncAnswerSigner } from '../jwt/answer-signer.js';
import type { TokenSigner } from '../jwt/signer.js';
import type { DeviceQuotas } from '../store/quotas.js';
import type { Store } from '../store/store.js';
import type { Metrics } from './metrics.js';
import type { RateLimiter } from './rate-limit.js';
import type { SyncSnapshot } from './snapshot.js';

export interface DsConfig {
  /** Seconds between device syncs, handed to devices as `ds.cycle`. */
  dsCycle: number;
  /** Default lifetime of new applications' tokens, seconds. */
  defaultTokenLifetime: number;
  trustProxy: boolean;
  /** Host-header check, on when bound to loopback (null on a real server address). */
  hostGuard: { publicHosts: readonly string[] } | null;
  quotas: DeviceQuotas;
}

/** What every route group needs; built once per process in server.ts. */
export interface DsContext {
  store: Store;
  signer: TokenSigner;
  /** Signs register/sync answers with keys that never sign tokens. */
  answerSigner: SyncAnswerSigner;
  metrics: Metrics;
  config: DsConfig;
  adminToken: string;
  limiters: { perKey: RateLimiter; perAddress: RateLimiter };
  snapshot: SyncSnapshot;
}
