import { Beid } from './beid/beid.js';
import { Pkcs11 } from './pkcs11/pkcs11.js';
import { Connection } from './connection.js';
import { Emv } from './emv/emv.js';
import { RemoteLoading } from './remoteloading/remoteloading.js';
import { DEFAULT_CANDIDATES, discover, normaliseCandidate, parseInfo, type Discovered } from './discovery.js';
import { agentPort, type ConsentOptions } from './registry/bind-agent.js';
import type { SignatureCheck } from './envelope.js';
import { T1cError } from './errors/t1c-error.js';
import { JwtSource, type JwtProvider } from './http/jwt.js';
import { DEFAULT_MAX_RESPONSE_BYTES } from './http/read-json.js';
import { Transport } from './http/transport.js';
import { globalFetch, type AddressSpace, type FetchLike } from './http/types.js';
import { listReaders, waitForCard, type WaitForCardOptions } from './readers.js';
import type { CardReader, InfoResponse } from './types/core.js';

export interface ConnectOptions {
  /** Connector base URLs, tried in order. Default `['http://127.0.0.1:51983']`. */
  candidates?: readonly string[];
  /** Per-candidate limit for `/info` during discovery. Default 1000 ms, as T1C. */
  discoveryTimeoutMs?: number;
  /** Limit for each non-PIN call. Default 30 000 ms; 0 for none. PIN calls wait for the user. */
  timeoutMs?: number;
  /** Called at start and once more whenever the connector answers 401. */
  getJwt?: JwtProvider;
  /** Sent as `X-T1C-BILLING-TAG`. */
  applicationDomain?: string;
  /** Check response signatures with the device key: on by default, 'required' also refuses unsigned answers. */
  verifySignatures?: boolean | 'required';
  /** Send the PIN in clear when the device key cannot be had. Default false. */
  plainPinFallback?: boolean;
  /** Local Network Access `targetAddressSpace`; null leaves it out. Default 'loopback'. */
  addressSpace?: AddressSpace | null;
  maxResponseBytes?: number;
  /** Aborts discovery. */
  signal?: AbortSignal;
  /** For tests and non-browser hosts. Default: the global fetch. */
  fetch?: FetchLike;
  /** Shared hosts: how to reach this user's connector when a Registry answers (consent modes). */
  consent?: ConsentOptions;
}

function signatureCheck(option: ConnectOptions['verifySignatures']): SignatureCheck {
  if (option === false) return 'off';
  return option === 'required' ? 'required' : 'when-signed';
}

/** A connector that answered: core endpoints and the card modules. */
export class T1cClient {
  /** @internal Use connect(). */
  constructor(
    private readonly connection: Connection,
    /** `/info` as it answered during discovery. */
    readonly initialInfo: InfoResponse,
  ) {}

  /** The base URL that answered. */
  get url(): string {
    return this.connection.transport.baseUrl;
  }

  /** The connector's API version (`t1CInfoAPI.version`). */
  get version(): string | undefined {
    return this.initialInfo.t1CInfoAPI.version;
  }

  /** The device public key (PEM) when it was obtained; responses are checked against it. */
  get devicePublicKey(): string | undefined {
    return this.connection.deviceKey?.text;
  }

  async info(): Promise<InfoResponse> {
    return parseInfo(await this.connection.transport.request('/info'));
  }

  /** Fetches `/device-key` again and uses it from now on. */
  async deviceKey(): Promise<string> {
    return (await this.connection.loadDeviceKey()).text;
  }

  readers(options: { excluded?: string } = {}): Promise<CardReader[]> {
    return listReaders(this.connection, { excluded: options.excluded });
  }

  readersWithCard(options: { excluded?: string } = {}): Promise<CardReader[]> {
    return listReaders(this.connection, { cardInserted: 'true', excluded: options.excluded });
  }

  reader(readerId: string): Promise<CardReader> {
    return this.connection.call<CardReader>(`/v3/readers/${encodeURIComponent(readerId)}`);
  }

  /** Resolves with the first reader holding a (matching) card; see WaitForCardOptions. */
  waitForCard(options: WaitForCardOptions = {}): Promise<CardReader> {
    return waitForCard(this.connection, options);
  }

  /** The Belgian eID API for one reader. */
  beid(readerId: string): Beid {
    return new Beid(this.connection, readerId);
  }

  /** The EMV payment card API for one reader. */
  emv(readerId: string): Emv {
    return new Emv(this.connection, readerId);
  }

  /** Tokens behind the connector's configured PKCS#11 library. */
  pkcs11(): Pkcs11 {
    return new Pkcs11(this.connection);
  }

  /** Remote loading (APDUs from the application's backend) on one reader. */
  remoteloading(readerId: string): RemoteLoading {
    return new RemoteLoading(this.connection, readerId);
  }
}

/** On a shared host, the user's own connector behind the Registry that answered; else as found. */
async function behindRegistry(found: Discovered, transportAt: (baseUrl: string) => Transport, options: ConnectOptions): Promise<Discovered> {
  const port = await agentPort(found.transport, found.info, options.applicationDomain, options.consent);
  if (port === undefined) return found;
  const url = new URL(found.transport.baseUrl);
  url.port = port;
  const transport = transportAt(url.origin);
  return { transport, info: parseInfo(await transport.request('/info', { timeoutMs: options.discoveryTimeoutMs ?? 1000, signal: options.signal })) };
}

/**
 * Finds the connector (first candidate whose `/info` answers), gets the JWT and the device
 * key, and returns a ready client. Rejects with a T1cError: 'connector-not-running',
 * 'permission-denied' (browser Local Network Access), 'unauthorized', …
 */
export async function connect(options: ConnectOptions = {}): Promise<T1cClient> {
  const candidates = (options.candidates ?? DEFAULT_CANDIDATES).map(normaliseCandidate);
  if (candidates.length === 0) throw new TypeError('connect() needs at least one candidate URL');
  const jwt = new JwtSource(options.getJwt);
  await jwt.current();
  const transportAt = (baseUrl: string): Transport => new Transport({
    baseUrl,
    fetch: options.fetch ?? globalFetch,
    jwt,
    addressSpace: options.addressSpace === undefined ? 'loopback' : options.addressSpace,
    applicationDomain: options.applicationDomain,
    maxResponseBytes: options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES,
    timeoutMs: options.timeoutMs ?? 30_000,
  });
  const transports = candidates.map(transportAt);
  const discovered = await discover(transports, options.discoveryTimeoutMs ?? 1000, options.signal);
  const found = await behindRegistry(discovered, transportAt, options);
  const connection = new Connection(found.transport, signatureCheck(options.verifySignatures), options.plainPinFallback ?? false);
  try {
    await connection.loadDeviceKey();
  } catch (error) {
    // A connector without a usable device key still serves data, unsigned; PINs then need
    // plainPinFallback. Access errors are real and surface now.
    if (!(error instanceof T1cError) || !['not-found', 'invalid-response'].includes(error.kind)) throw error;
  }
  return new T1cClient(connection, found.info);
}
