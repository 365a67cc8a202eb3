import { type KeyObject, createPublicKey, generateKeyPairSync, randomBytes, randomUUID, sign } from 'node:crypto';
import { type GeneralJWS, type JSONWebKeySet, createLocalJWKSet, generalVerify } from 'jose';
import { DsRequestError, readDsBody, readDsResponse } from './errors.js';
import {
  type CounterEntryInput, DEVICE_PATHS, SYNC_JWS_TYPE, type LogsPayload, type RegisterPayload, type SignedEnvelope, type SyncData, type SyncPayload,
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
   * DS keys this device already trusts (pinned, or `trustedJwks` saved after the last sync).
   * When set, register/sync answers are only accepted if their JWS verifies with them, and
   * the trusted set then moves on to the answer's JWKS. Unset: trust on first use.
   */
  trustedJwks?: JSONWebKeySet;
  timeoutMs?: number;
}

export interface DeviceState {
  os: OsName;
  version: string;
}

/** The connector's side of the device protocol: register, signed sync, log upload. */
export class DsDeviceClient {
  private id: string | undefined;
  private trusted: JSONWebKeySet | undefined;
  private readonly publicPem: string;

  constructor(private readonly options: DsDeviceClientOptions) {
    this.id = options.deviceId;
    this.trusted = options.trustedJwks;
    this.publicPem = createPublicKey(options.privateKey).export({ format: 'pem', type: 'spki' }).toString();
  }

  get deviceId(): string | undefined {
    return this.id;
  }

  /** The DS key set to trust next time; persist it next to the device id. */
  get trustedJwks(): JSONWebKeySet | undefined {
    return this.trusted;
  }

  private send(path: string, envelope: SignedEnvelope): Promise<Response> {
    return fetch(new URL(path, this.options.dsUrl), {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify(envelope),
      signal: AbortSignal.timeout(this.options.timeoutMs ?? 15_000),
    });
  }

  private async postSigned(path: string, envelope: SignedEnvelope): Promise<SyncData> {
    const response = await this.send(path, envelope);
    const body = await readDsBody(response);
    let data = body.data as SyncData;
    if (this.trusted !== undefined) {
      const signed = body.signed;
      if (typeof signed !== 'object' || signed === null) throw new DsRequestError(response.status, '904300', 'DS answer is not signed');
      try {
        const { payload, protectedHeader } = await generalVerify(signed as GeneralJWS, createLocalJWKSet(this.trusted), { algorithms: ['ES256', 'RS256'] });
        if (protectedHeader?.typ !== SYNC_JWS_TYPE) throw new Error('wrong JWS type');
        data = JSON.parse(new TextDecoder().decode(payload)) as SyncData;
      } catch {
        throw new DsRequestError(response.status, '904300', 'DS answer signature does not verify with the trusted keys');
      }
    }
    this.trusted = data.jwks;
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
    const data = await this.postSigned(DEVICE_PATHS.register, signEnvelope(payload, this.options.privateKey));
    this.id = data.deviceId;
    return data;
  }

  async sync(state: DeviceState, counters?: { batchId: string; entries: CounterEntryInput[] }): Promise<SyncData> {
    const payload: Unsigned<SyncPayload> = { type: 'sync', deviceId: this.requireId(), os: state.os, version: state.version };
    const body = counters === undefined ? payload : { ...payload, counters };
    return this.postSigned(DEVICE_PATHS.sync, signEnvelope(body, this.options.privateKey));
  }

  async uploadLogs(content: string): Promise<{ id: string; size: number }> {
    const payload: Unsigned<LogsPayload> = { type: 'logs', deviceId: this.requireId(), content };
    return this.post(DEVICE_PATHS.logs, signEnvelope(payload, this.options.privateKey));
  }
}
