import { type KeyObject, createPublicKey, generateKeyPairSync, randomBytes, randomUUID, sign } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import { type GeneralJWS, createLocalJWKSet, generalVerify } from 'jose';
import { insecureUrlProblem } from '../policy/secure-url.js';
import { DsRequestError, isRecord, readDsBody, readDsResponse } from './errors.js';
import {
  type CounterEntryInput, DEVICE_PATHS, type JsonWebKeySet, SYNC_JWS_TYPE, type LogsPayload, type RegisterPayload, type SignedEnvelope, type SyncData,
  type SyncPayload, generalJwsSchema, jwksSchema, syncDataSchema,
} from './protocol.js';
import type { OsName } from '../policy/os-names.js';

type Unsigned<T> = Omit<T, 'ts' | 'nonce'>;

/** Signs a device payload into the wire envelope (see protocol.ts). */
export function signEnvelope(payload: object, privateKey: KeyObject, clock: () => number = Date.now): SignedEnvelope {
  const full = { ...payload, ts: clock(), nonce: randomBytes(18).toString('base64url') };
  const encoded = Buffer.from(JSON.stringify(full), 'utf8').toString('base64url');
  const signature = sign('sha256', Buffer.from(encoded, 'ascii'), privateKey).toString('base64url');
  return { payload: encoded, signature };
}

/** A fresh RSA-2048 device key pair (the connector normally brings its own). */
export function generateDeviceKey(): { privateKey: KeyObject; publicKey: KeyObject } {
  return generateKeyPairSync('rsa', { modulusLength: 2048 });
}

/** Keep the same id when retrying the same counters: the DS then counts them once. */
export function newCounterBatchId(): string {
  return randomUUID();
}

export interface DsDeviceClientOptions {
  dsUrl: string;
  /** The device's RSA private key (RSASSA-PKCS1-v1_5/SHA-256 signatures). */
  privateKey: KeyObject;
  /** Known after a previous registration. */
  deviceId?: string;
  /**
   * The DS sync keys this device pinned (at registration, moved on by later answers). Every
   * answer must verify with one of them. Unset: only register() is possible, and it pins the
   * keys its answer announces.
   */
  pinnedSyncKeys?: JsonWebKeySet;
  timeoutMs?: number;
}

export interface DeviceState {
  os: OsName;
  version: string;
}

const refused = (status: number, why: string): DsRequestError => new DsRequestError(status, '904300', why);

/**
 * Verifies a register/sync answer's JWS with `keys` and parses its payload. Also used to
 * re-check a saved answer against the pinned keys when a device restarts.
 */
export async function verifySyncAnswer(signed: unknown, keys: JsonWebKeySet, status = 200): Promise<SyncData> {
  const jws = generalJwsSchema.safeParse(signed);
  if (!jws.success) throw refused(status, 'DS answer is not signed');
  let payload: Uint8Array;
  try {
    const verified = await generalVerify(jws.data, createLocalJWKSet(keys), { algorithms: ['ES256', 'RS256'] });
    if (verified.protectedHeader?.typ !== SYNC_JWS_TYPE) throw new Error('wrong JWS type');
    payload = verified.payload;
  } catch {
    throw refused(status, 'DS answer signature does not verify with the pinned DS sync keys');
  }
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(payload));
  } catch {
    throw refused(status, 'DS answer payload is not JSON');
  }
  const parsed = syncDataSchema.safeParse(json);
  if (!parsed.success) throw refused(status, `DS answer payload is malformed: ${parsed.error.issues.slice(0, 3).map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return parsed.data;
}

/** The connector's side of the device protocol: register, signed sync, log upload. */
export class DsDeviceClient {
  private id: string | undefined;
  private pinned: JsonWebKeySet | undefined;
  private lastSigned: GeneralJWS | undefined;
  private readonly publicPem: string;

  constructor(private readonly options: DsDeviceClientOptions) {
    const problem = insecureUrlProblem(options.dsUrl);
    if (problem !== undefined) throw new Error(`DS URL: ${problem}`);
    this.id = options.deviceId;
    this.pinned = options.pinnedSyncKeys;
    this.publicPem = createPublicKey(options.privateKey).export({ format: 'pem', type: 'spki' }).toString();
  }

  get deviceId(): string | undefined {
    return this.id;
  }

  /** The DS sync keys pinned now; persist them next to the device id. */
  get pinnedSyncKeys(): JsonWebKeySet | undefined {
    return this.pinned;
  }

  /** The JWS of the last verified answer, to re-verify a saved answer after a restart. */
  get lastSignedAnswer(): GeneralJWS | undefined {
    return this.lastSigned;
  }

  private send(path: string, envelope: SignedEnvelope): Promise<Response> {
    return fetch(new URL(path, this.options.dsUrl), {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify(envelope),
      signal: AbortSignal.timeout(this.options.timeoutMs ?? 15_000),
    });
  }

  /**
   * Accepts an answer only when its JWS verifies with a pinned sync key (at registration, with
   * no pin yet: with the keys it announces itself) and its `data` is exactly the signed
   * payload; then moves the pin to the sync keys that verified answer announces.
   */
  private async postSigned(path: string, envelope: SignedEnvelope, pin: JsonWebKeySet | undefined): Promise<SyncData> {
    const response = await this.send(path, envelope);
    const body = await readDsBody(response);
    let keys = pin;
    if (keys === undefined) {
      const announced = jwksSchema.safeParse(isRecord(body.data) ? body.data.syncKeys : undefined);
      if (!announced.success) throw refused(response.status, 'DS registration answer announces no sync keys');
      keys = announced.data;
    }
    const data = await verifySyncAnswer(body.signed, keys, response.status);
    if (!isDeepStrictEqual(body.data, JSON.parse(JSON.stringify(data)))) throw refused(response.status, 'DS answer data differs from what the DS signed');
    this.pinned = data.syncKeys;
    this.lastSigned = generalJwsSchema.parse(body.signed);
    return data;
  }

  private async post<T>(path: string, envelope: SignedEnvelope): Promise<T> {
    return readDsResponse<T>(await this.send(path, envelope));
  }

  private requireId(): string {
    if (this.id === undefined) throw new Error('device is not registered: call register() first');
    return this.id;
  }

  /** Registers the device key with a version's registration key; returns the first sync data. */
  async register(registrationKey: string, state: DeviceState): Promise<SyncData> {
    const payload: Unsigned<RegisterPayload> = { type: 'register', registrationKey, publicKey: this.publicPem, os: state.os, version: state.version };
    // A device re-registering keeps its pin: a DS it already trusts must prove it is the same one.
    const data = await this.postSigned(DEVICE_PATHS.register, signEnvelope(payload, this.options.privateKey), this.pinned);
    this.id = data.deviceId;
    return data;
  }

  async sync(state: DeviceState, counters?: { batchId: string; entries: CounterEntryInput[] }): Promise<SyncData> {
    const payload: Unsigned<SyncPayload> = { type: 'sync', deviceId: this.requireId(), os: state.os, version: state.version };
    const body = counters === undefined ? payload : { ...payload, counters };
    const pin = this.pinned;
    if (pin === undefined) throw new Error('no DS sync keys pinned: register() first');
    return this.postSigned(DEVICE_PATHS.sync, signEnvelope(body, this.options.privateKey), pin);
  }

  async uploadLogs(content: string): Promise<{ id: string; size: number }> {
    const payload: Unsigned<LogsPayload> = { type: 'logs', deviceId: this.requireId(), content };
    return this.post(DEVICE_PATHS.logs, signEnvelope(payload, this.options.privateKey));
  }
}
