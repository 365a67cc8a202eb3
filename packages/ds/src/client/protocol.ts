import type { GeneralJWS } from 'jose';
import { z } from 'zod';
import { OS_NAMES } from '../policy/os-names.js';
import { isSemver } from '../policy/semver.js';

/**
 * The device ↔ DS wire protocol, in one place for both sides (documented in README.md).
 *
 * Every device request body is `{payload, signature}`: `payload` is base64url(JSON) and
 * `signature` is base64url(RSASSA-PKCS1-v1_5/SHA-256 over the ASCII bytes of `payload`)
 * made with the device key. Signing the transported string avoids any JSON canonicalisation.
 * `ts` (ms since epoch) must be within ±5 minutes of the DS clock and `nonce` is never
 * accepted twice for one key, which together refuse replays.
 */
export const DEVICE_PATHS = {
  register: '/v3_5/devices/register',
  sync: '/v3_5/devices/sync',
  logs: '/v3_5/devices/logs',
} as const;

export const TIMESTAMP_WINDOW_MS = 5 * 60 * 1000;
export const MAX_LOG_BYTES = 1024 * 1024;

export const osSchema = z.enum(OS_NAMES);
export const semverSchema = z.string().refine(isSemver, { message: 'must be a semantic version (e.g. 3.8.1)' });
const nonceSchema = z.string().regex(/^[A-Za-z0-9_-]{16,64}$/, 'nonce must be 16–64 base64url characters');
const label = (max: number) => z.string().min(1).max(max).regex(/^[\x21-\x7e]+$/, 'printable ASCII without spaces');

export const envelopeSchema = z.strictObject({
  payload: z.string().min(1).max(2 * MAX_LOG_BYTES).regex(/^[A-Za-z0-9_-]+$/, 'payload must be base64url'),
  signature: z.string().min(1).max(1024).regex(/^[A-Za-z0-9_-]+$/, 'signature must be base64url'),
});
export type SignedEnvelope = z.infer<typeof envelopeSchema>;

const common = { ts: z.number().int().positive(), nonce: nonceSchema };

export const registerPayloadSchema = z.strictObject({
  type: z.literal('register'),
  registrationKey: z.string().min(1).max(200),
  /** SPKI PEM of the device's RSA (≥ 2048-bit) public key; the envelope must verify with it. */
  publicKey: z.string().min(1).max(4096),
  os: osSchema,
  version: semverSchema,
  ...common,
});
export type RegisterPayload = z.infer<typeof registerPayloadSchema>;

export const counterEntrySchema = z.strictObject({
  application: label(200),
  tag: z.string().max(200).regex(/^[\x20-\x7e]*$/).default(''),
  module: label(100),
  useCase: label(100),
  day: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).refine((d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)) && new Date(`${d}T00:00:00Z`).toISOString().startsWith(d), 'not a calendar day'),
  count: z.number().int().min(0).max(1_000_000_000),
});
export type CounterEntryInput = z.input<typeof counterEntrySchema>;

export const syncPayloadSchema = z.strictObject({
  type: z.literal('sync'),
  deviceId: z.uuid(),
  os: osSchema,
  version: semverSchema,
  /** Counters since the last acknowledged sync; the batch id makes the upload idempotent. */
  counters: z.strictObject({
    batchId: z.string().regex(/^[A-Za-z0-9_-]{8,64}$/),
    entries: z.array(counterEntrySchema).max(1000),
  }).optional(),
  ...common,
});
export type SyncPayload = z.infer<typeof syncPayloadSchema>;

export const logsPayloadSchema = z.strictObject({
  type: z.literal('logs'),
  deviceId: z.uuid(),
  content: z.string().max(MAX_LOG_BYTES),
  ...common,
});
export type LogsPayload = z.infer<typeof logsPayloadSchema>;

export type VersionAction = 'none' | 'update-recommended' | 'update-mandatory' | 'blocked';

export interface VersionPolicy {
  version: string;
  known: boolean;
  allowed: boolean;
  action: VersionAction;
  latest: { id: string; recommended: boolean; mandatory: boolean; uri: string | null } | null;
}

const jwkSchema = z.looseObject({ kty: z.string().min(1).max(10), kid: z.string().min(1).max(100) });
export const jwksSchema = z.strictObject({ keys: z.array(jwkSchema).min(1).max(10) });

const versionPolicySchema = z.strictObject({
  version: z.string().max(100),
  known: z.boolean(),
  allowed: z.boolean(),
  action: z.enum(['none', 'update-recommended', 'update-mandatory', 'blocked']),
  latest: z.strictObject({ id: z.string().max(100), recommended: z.boolean(), mandatory: z.boolean(), uri: z.string().max(2000).nullable() }).nullable(),
});

/**
 * `data` of the register and sync answers, parsed by the device from the verified JWS.
 * `jwks` verifies application tokens, whose `iss` and `aud` must be `issuer` and `audience`;
 * `syncKeys` verify the next answers (the device pins them; they never verify a token).
 */
export const syncDataSchema = z.strictObject({
  deviceId: z.uuid(),
  serverTime: z.string().max(40),
  origins: z.array(z.string().max(300)).max(10_000),
  issuer: z.string().min(1).max(200),
  audience: z.string().min(1).max(200),
  jwks: jwksSchema,
  syncKeys: jwksSchema,
  config: z.strictObject({ 'ds.cycle': z.number().int().min(1).max(7 * 86_400) }),
  versionPolicy: versionPolicySchema,
  counters: z.strictObject({ batchId: z.string().max(64), applied: z.boolean() }).nullable(),
});
export type SyncData = z.infer<typeof syncDataSchema>;
export type JsonWebKeySet = z.infer<typeof jwksSchema>;

/** The `typ` header of application tokens; a verifier requires it. */
export const APPLICATION_TOKEN_TYPE = 'JWT';
/** The longest application token lifetime the DS issues and a connector accepts (24 h). */
export const MAX_TOKEN_LIFETIME_S = 86_400;

export interface DsEnvelope<T> {
  success: true;
  data: T;
}

/**
 * Register and sync answers also carry `signed`: a general (JSON) JWS, typ `t1c-ds-sync+jws`,
 * whose payload is the JSON of `data`, signed by the DS's active sync key and, during a
 * rotation, also by the previous one. The device pins `syncKeys` at registration, accepts an
 * answer only when its JWS verifies with a pinned key and `data` is exactly its payload, and
 * then moves its pin to the `syncKeys` that answer announces.
 */
export const SYNC_JWS_TYPE = 't1c-ds-sync+jws';

/** The shape of `signed` (no unprotected headers: everything that matters is signed). */
export const generalJwsSchema = z.strictObject({
  payload: z.string().max(4 * 1024 * 1024),
  signatures: z.array(z.strictObject({ protected: z.string().max(2000), signature: z.string().max(2000) })).min(1).max(4),
});

export interface SignedSyncEnvelope extends DsEnvelope<SyncData> {
  signed: GeneralJWS;
}

export interface DsErrorBody {
  success: false;
  code: string;
  description: string;
}
