import { errorFromResponse } from '../errors/from-response.js';
import { T1cError } from '../errors/t1c-error.js';
import { networkFailure } from '../lna/network-failure.js';
import { deadline } from '../util/abort.js';
import type { JwtSource } from './jwt.js';
import { readJson } from './read-json.js';
import type { AddressSpace, FetchInit, FetchLike } from './types.js';

export interface TransportOptions {
  readonly baseUrl: string;
  readonly fetch: FetchLike;
  readonly jwt: JwtSource;
  readonly addressSpace: AddressSpace | null;
  readonly applicationDomain: string | undefined;
  readonly maxResponseBytes: number;
  /** Default per request; 0 means none (PIN dialogs wait for the user). */
  readonly timeoutMs: number;
}

export interface RequestOptions {
  readonly method?: 'GET' | 'POST' | 'PATCH';
  readonly query?: Readonly<Record<string, string | undefined>>;
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal | undefined;
}

interface Answer {
  readonly status: number;
  readonly body: unknown;
}

function queryString(query: RequestOptions['query']): string {
  const parts = Object.entries(query ?? {})
    .filter((entry): entry is [string, string] => entry[1] !== undefined)
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`);
  return parts.length > 0 ? `?${parts.join('&')}` : '';
}

/**
 * One connector URL: headers of t1c-api.md §1.3, the JWT with one refresh-and-retry on 401,
 * a deadline, and every failure as a T1cError. Knows nothing of envelopes.
 */
export class Transport {
  constructor(readonly options: TransportOptions) {}

  get baseUrl(): string {
    return this.options.baseUrl;
  }

  /** The parsed body of a 2xx answer; a non-2xx answer is thrown as the connector's error. */
  async request(path: string, options: RequestOptions = {}): Promise<unknown> {
    const jwt = this.options.jwt;
    const sent = await jwt.current();
    let answer = await this.send(path, options, sent);
    if (answer.status === 401 && jwt.enabled) answer = await this.send(path, options, await jwt.refresh(sent));
    if (answer.status < 200 || answer.status > 299) throw errorFromResponse(answer.status, answer.body);
    return answer.body;
  }

  /** In a browser only: an opaque no-cors answer proves something listens at the base URL. */
  private async reachable(): Promise<boolean> {
    if (!('document' in globalThis)) return false;
    const init: FetchInit = { method: 'GET', headers: {}, mode: 'no-cors', signal: AbortSignal.timeout(1500) };
    if (this.options.addressSpace) init.targetAddressSpace = this.options.addressSpace;
    return this.options.fetch(`${this.options.baseUrl}/info`, init).then(() => true, () => false);
  }

  private headers(options: RequestOptions, token: string | undefined): Record<string, string> {
    const headers: Record<string, string> = { 'X-CSRF-Token': 't1c-js', ...options.headers };
    if (token !== undefined) headers.Authorization = `Bearer ${token}`;
    if (this.options.applicationDomain) headers['X-T1C-BILLING-TAG'] = this.options.applicationDomain;
    if (options.body !== undefined) headers['Content-Type'] = 'application/json';
    return headers;
  }

  private async send(path: string, options: RequestOptions, token: string | undefined): Promise<Answer> {
    const method = options.method ?? 'GET';
    const url = `${this.options.baseUrl}${path}${queryString(options.query)}`;
    const until = deadline(options.timeoutMs ?? this.options.timeoutMs, options.signal, `${method} ${path}`);
    const init: FetchInit = { method, headers: this.headers(options, token), signal: until.signal };
    if (options.body !== undefined) init.body = JSON.stringify(options.body);
    if (this.options.addressSpace) init.targetAddressSpace = this.options.addressSpace;
    try {
      // An already aborted caller gets its error without a request going out.
      if (until.signal.aborted) await until.expired;
      const response = await Promise.race([this.options.fetch(url, init), until.expired]).catch(async (error: unknown) => {
        if (error instanceof T1cError) throw error;
        if (until.signal.aborted && until.signal.reason instanceof T1cError) throw until.signal.reason;
        throw await networkFailure(this.options.baseUrl, error, () => this.reachable());
      });
      const ok = response.status >= 200 && response.status <= 299;
      // An error body we cannot read still leaves the status to report.
      const body = await Promise.race([readJson(response, this.options.maxResponseBytes), until.expired]).catch((error: unknown) => {
        if (ok || !(error instanceof T1cError) || error.kind === 'timeout' || error.kind === 'aborted') throw error;
        return undefined;
      });
      return { status: response.status, body };
    } finally {
      until.dispose();
    }
  }
}
