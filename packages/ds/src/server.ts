import { resolve } from 'node:path';
import { pino, type DestinationStream, type Logger, type LevelWithSilent } from 'pino';
import { resolveAdminToken } from './admin/token.js';
import { createApp } from './http/app.js';
import type { DsConfig } from './http/context.js';
import { DEFAULT_QUOTAS, type DeviceQuotas } from './store/quotas.js';
import { parsePublicHost } from './http/host-guard.js';
import { isLoopbackHost } from './policy/secure-url.js';
import { Metrics } from './http/metrics.js';
import { RateLimiter } from './http/rate-limit.js';
import { SyncSnapshot } from './http/snapshot.js';
import { SyncAnswerSigner } from './jwt/answer-signer.js';
import { SigningKeyRing } from './jwt/key-ring.js';
import { type SigningAlg, TokenSigner } from './jwt/signer.js';
import { KEK_ENV, resolveKek } from './store/key-encryption.js';
import { MAX_TOKEN_LIFETIME_S } from './client/protocol.js';
import { openStore } from './store/store.js';

export const DEFAULT_DS_PORT = 52000;

export interface DistributionServiceOptions {
  port?: number;
  /** 127.0.0.1 unless explicitly widened. */
  host?: string;
  dataDir?: string;
  databaseUrl?: string;
  /** Overrides T1C_DS_ADMIN_TOKEN and the token file. */
  adminToken?: string;
  jwtAlg?: SigningAlg;
  issuer?: string;
  audience?: string;
  dsCycle?: number;
  defaultTokenLifetime?: number;
  /** Token requests per minute: per API key and per client address. */
  rateLimit?: { perKey?: number; perAddress?: number };
  trustProxy?: boolean;
  /**
   * Names (`name` or `name:port`) a reverse proxy on this machine forwards as Host. Only used
   * when bound to loopback, where every other Host is refused (DNS rebinding).
   */
  publicHosts?: readonly string[];
  /**
   * File holding the key that seals the signing keys at rest (32 bytes, base64). Else
   * T1C_DS_KEY_ENCRYPTION_KEY; else, with the embedded database only, `<dataDir>/key-encryption-key`.
   */
  keyEncryptionKeyFile?: string;
  /** The key itself (base64), for embedding; overrides the file and the environment. */
  keyEncryptionKey?: string;
  /** Device abuse limits; unset fields keep the defaults (DEFAULT_QUOTAS). */
  quotas?: Partial<DeviceQuotas>;
  logLevel?: LevelWithSilent;
  /** Where JSON log lines go (stdout by default); tests capture them here. */
  logStream?: DestinationStream;
}

export interface RunningDistributionService {
  url: string;
  adminToken: string;
  adminTokenPath: string | null;
  close(): Promise<void>;
}

export function defaultDataDir(): string {
  return resolve(process.env.T1C_DS_DATA_DIR ?? '.t1c-data/ds');
}

/** Secrets can only reach a log line through these fields; pino censors them. */
const REDACT = ['req.headers.apikey', 'req.headers.authorization', 'headers.apikey', 'headers.authorization', 'apiKey', 'adminToken', 'token', 'registrationKey'];

export function createLogger(level: LevelWithSilent, stream?: DestinationStream): Logger {
  const options = { level, redact: { paths: REDACT, censor: '[redacted]' }, base: { service: 't1c-ds' } };
  return stream === undefined ? pino(options) : pino(options, stream);
}

export async function startDistributionService(options: DistributionServiceOptions = {}): Promise<RunningDistributionService> {
  const dataDir = resolve(options.dataDir ?? defaultDataDir());
  const logger = createLogger(options.logLevel ?? 'info', options.logStream);
  const admin = options.adminToken !== undefined
    ? { token: options.adminToken, path: null, generated: false }
    : resolveAdminToken(dataDir, process.env.T1C_DS_ADMIN_TOKEN);
  const host = options.host ?? '127.0.0.1';
  const publicHosts = [...(options.publicHosts ?? [])];
  publicHosts.forEach(parsePublicHost);
  const embedded = options.databaseUrl === undefined || options.databaseUrl === '';
  // Before the database is opened: a missing or unreadable key must not leave anything behind.
  const kek = resolveKek({ given: options.keyEncryptionKey, file: options.keyEncryptionKeyFile, env: process.env[KEK_ENV], dataDir, embedded });
  const store = await openStore({ databaseUrl: options.databaseUrl, dataDir }, kek.kek);
  try {
    // A wrong key-encryption key stops the start here, before a key could be created.
    await store.signingKeys.checkKeyEncryption();
    const alg = options.jwtAlg ?? 'ES256';
    const signer = new TokenSigner(new SigningKeyRing(store, 'token', alg), { issuer: options.issuer ?? 't1c-ds', audience: options.audience ?? 't1c-connector' });
    const answerSigner = new SyncAnswerSigner(new SigningKeyRing(store, 'sync', alg));
    await signer.ensureKey();
    await answerSigner.ensureKey();
    await signer.jwks();
    const defaultTokenLifetime = options.defaultTokenLifetime ?? 1200;
    if (!Number.isInteger(defaultTokenLifetime) || defaultTokenLifetime < 60 || defaultTokenLifetime > MAX_TOKEN_LIFETIME_S) {
      throw new Error(`defaultTokenLifetime must be 60–${MAX_TOKEN_LIFETIME_S} seconds (connectors refuse longer tokens)`);
    }
    const config: DsConfig = {
      dsCycle: options.dsCycle ?? 28_800, defaultTokenLifetime, trustProxy: options.trustProxy ?? false,
      hostGuard: isLoopbackHost(host) ? { publicHosts } : null,
      quotas: { ...DEFAULT_QUOTAS, ...options.quotas },
    };
    const limiters = { perKey: new RateLimiter(options.rateLimit?.perKey ?? 600, 60_000), perAddress: new RateLimiter(options.rateLimit?.perAddress ?? 1200, 60_000) };
    const snapshot = new SyncSnapshot(store);
    const app = await createApp({ store, signer, answerSigner, metrics: new Metrics(), config, adminToken: admin.token, limiters, snapshot }, logger);
    await app.listen({ port: options.port ?? DEFAULT_DS_PORT, host });
    const address = app.server.address();
    const port = typeof address === 'object' && address !== null ? address.port : options.port ?? DEFAULT_DS_PORT;
    const urlHost = host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? '127.0.0.1' : host;
    const url = `http://${urlHost}:${port}`;
    logger.info({ url, database: store.db.kind, adminTokenFile: admin.path, keyEncryptionKeyFile: kek.path, keyEncryptionKeyId: kek.kek.kekId }, 'distribution service listening');
    if (kek.generated) logger.warn({ keyEncryptionKeyFile: kek.path }, 'generated a key-encryption key next to the embedded database; in production keep it elsewhere (--key-encryption-key-file)');
    return {
      url, adminToken: admin.token, adminTokenPath: admin.path,
      async close() {
        await app.close();
        await store.close();
      },
    };
  } catch (error) {
    await store.close().catch(() => undefined);
    throw error;
  }
}
