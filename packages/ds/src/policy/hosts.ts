/**
 * DNS-rebinding defence shared by every server we run on loopback (connector, DS, demo).
 *
 * A page on `attacker.example` whose name is re-pointed at 127.0.0.1 talks to us "same-origin":
 * no Origin header, no CORS. The one thing it cannot forge is the Host header, which still
 * says `attacker.example`. So each server accepts only the names it serves, before any work.
 */

export interface HostPolicy {
  /** The port the server listens on (the Host header must carry it unless it is the scheme default). */
  readonly port: number;
  /**
   * Other ports the same server is reached on: an agent behind a shared host's Registry, whose
   * connections arrive spliced through the well-known port and still carry it in Host.
   */
  readonly otherPorts?: readonly number[];
  /** Extra DNS names served besides localhost and the loopback addresses (partner certificates, --hostname). */
  readonly names?: readonly string[];
  /** `https` lets a Host without port mean 443; `http` means 80. */
  readonly scheme?: 'http' | 'https';
}

const LOOPBACK_NAMES = ['127.0.0.1', 'localhost', '[::1]'];
const DEFAULT_PORT = { http: 80, https: 443 } as const;

/** `name` or `name:port`, lower-cased; `[v6]` keeps its brackets. Undefined for anything else. */
export function splitHostHeader(value: string): { name: string; port: number | undefined } | undefined {
  const m = /^(\[[0-9a-f:.]+\]|[a-z0-9.-]+)(?::(\d{1,5}))?$/.exec(value.trim().toLowerCase());
  if (!m?.[1]) return undefined;
  const port = m[2] === undefined ? undefined : Number(m[2]);
  if (port !== undefined && (port < 1 || port > 65535)) return undefined;
  return { name: m[1], port };
}

/** The host names (without port) a loopback server answers to. */
export function servedHostNames(policy: HostPolicy): string[] {
  const extra = (policy.names ?? []).map((n) => n.trim().toLowerCase().replace(/\.$/, '')).filter((n) => n !== '');
  return [...new Set([...LOOPBACK_NAMES, ...extra])];
}

/**
 * True when `host` (the request's Host header) names this server. A missing header is refused:
 * HTTP/1.1 requires it and every browser sends it.
 */
export function hostAllowed(policy: HostPolicy, host: string | undefined): boolean {
  if (host === undefined) return false;
  const parsed = splitHostHeader(host);
  if (parsed === undefined) return false;
  const port = parsed.port ?? (policy.scheme ? DEFAULT_PORT[policy.scheme] : undefined);
  if (port !== policy.port && !(port !== undefined && policy.otherPorts?.includes(port))) return false;
  return servedHostNames(policy).includes(parsed.name);
}

/**
 * A request without Origin whose fetch metadata says a page made it (same-origin, same-site or
 * cross-site) is a browser request from a page, never a "non-browser client". Only `none`
 * (typed in the address bar, a bookmark) or no metadata at all (curl, a server) is left.
 */
export function pageRequestWithoutOrigin(headers: { readonly origin?: string | undefined; readonly 'sec-fetch-site'?: string | string[] | undefined }): boolean {
  if (headers.origin !== undefined) return false;
  const site = headers['sec-fetch-site'];
  return site !== undefined && site !== 'none';
}
