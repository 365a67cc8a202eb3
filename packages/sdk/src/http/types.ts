/**
 * The slice of `fetch` the SDK uses, typed locally so the same source type-checks against the
 * DOM library (the package) and Node's types (the tests), and tests can pass a plain fake.
 */
export interface FetchInit {
  method: string;
  headers: Record<string, string>;
  body?: string;
  signal?: AbortSignal;
  /**
   * Local Network Access (Chrome 142+): declares up front that the target is loopback, so a
   * public name resolving to 127.0.0.1 is not blocked as mixed content before the prompt.
   * Not in TypeScript's DOM library yet; browsers that do not know it ignore it.
   */
  targetAddressSpace?: AddressSpace;
  /** Only the reachability probe uses 'no-cors'. */
  mode?: 'cors' | 'no-cors';
}

export type AddressSpace = 'loopback' | 'local' | 'public';

export interface BodyReader {
  read(): Promise<{ done: boolean; value?: Uint8Array | undefined }>;
  cancel(reason?: unknown): Promise<void>;
}

export interface ResponseLike {
  readonly status: number;
  readonly ok: boolean;
  readonly headers: { get(name: string): string | null };
  readonly body?: { getReader(): BodyReader } | null;
  text(): Promise<string>;
}

export type FetchLike = (url: string, init: FetchInit) => Promise<ResponseLike>;

/** The page's fetch, looked up at call time so a polyfill installed later is used. */
export const globalFetch: FetchLike = (url, init) => globalThis.fetch(url, init);
