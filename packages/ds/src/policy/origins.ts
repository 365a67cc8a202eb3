/**
 * Allowed-origin patterns. An exact origin is `scheme://host[:port]`; a wildcard pattern
 * puts `*.` as the leftmost part of the host and matches one or more whole labels, so
 * `https://*.example.org` matches `https://a.b.example.org` but never `https://example.org`,
 * `https://evilexample.org` or `https://example.org.evil.com`. Connector and DS share this.
 */
import { getPublicSuffix } from 'tldts';

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;
const DEFAULT_PORTS: Record<string, string> = { 'http:': '80', 'https:': '443' };

interface ParsedOrigin {
  scheme: string;
  host: string;
  port: string;
  wildcard: boolean;
}

function validHost(host: string): boolean {
  if (host === 'localhost') return true;
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(host)) return host.split('.').every((p) => Number(p) <= 255);
  if (/^\[[0-9a-f:.]+\]$/.test(host)) return true;
  const labels = host.split('.');
  return labels.length >= 2 && labels.every((l) => LABEL.test(l));
}

function parse(value: string, allowWildcard: boolean): ParsedOrigin | null {
  const m = /^(https?):\/\/(\*\.)?([^/:?#@\s]+|\[[0-9a-fA-F:.]+\])(?::(\d{1,5}))?$/i.exec(value);
  if (m === null) return null;
  const [, scheme = '', star, rawHost = '', rawPort] = m;
  const wildcard = star !== undefined;
  if (wildcard && !allowWildcard) return null;
  const host = rawHost.toLowerCase();
  if (!validHost(host)) return null;
  // A wildcard over a bare TLD ("*.com") would allow the whole internet.
  if (wildcard && (host.split('.').length < 2 || host.startsWith('['))) return null;
  if (wildcard && isPublicSuffix(host)) return null;
  const port = rawPort === undefined ? '' : String(Number(rawPort));
  if (rawPort !== undefined && (Number(rawPort) < 1 || Number(rawPort) > 65535)) return null;
  const lowerScheme = scheme.toLowerCase();
  const normalizedPort = port === DEFAULT_PORTS[`${lowerScheme}:`] ? '' : port;
  return { scheme: lowerScheme, host, port: normalizedPort, wildcard };
}

/**
 * True when `host` is a public suffix (ICANN or private section of the Public Suffix List:
 * `co.uk`, `github.io`, `s3.amazonaws.com`): `*.` over it would allow every site anyone can
 * register or publish there.
 */
export function isPublicSuffix(host: string): boolean {
  return getPublicSuffix(host, { allowPrivateDomains: true }) === host;
}

/** Why `pattern` is not an acceptable allowed-origin pattern, or null when it is. */
export function originPatternProblem(pattern: string): string | null {
  if (parse(pattern.trim(), true) !== null) return null;
  const wildcard = /^https?:\/\/\*\.([^/:?#@\s]+)(?::\d{1,5})?$/i.exec(pattern.trim());
  const base = wildcard?.[1]?.toLowerCase();
  if (base !== undefined && validHost(base) && isPublicSuffix(base)) {
    return `"${base.slice(0, 80)}" is a public suffix (Public Suffix List): a wildcard over it would allow sites anyone can register`;
  }
  return `"${pattern.slice(0, 80)}" is not an origin (scheme://host[:port], optional leading *.)`;
}

function render(p: ParsedOrigin): string {
  return `${p.scheme}://${p.wildcard ? '*.' : ''}${p.host}${p.port === '' ? '' : `:${p.port}`}`;
}

/** Canonical form of an allowed-origin pattern, or null when it is not a valid pattern. */
export function normalizeOriginPattern(pattern: string): string | null {
  const parsed = parse(pattern.trim(), true);
  return parsed === null ? null : render(parsed);
}

/** True when `origin` (a browser Origin header value) is allowed by `pattern`. */
export function originMatches(pattern: string, origin: string): boolean {
  const p = parse(pattern, true);
  const o = parse(origin, false);
  if (p === null || o === null) return false;
  if (p.scheme !== o.scheme || p.port !== o.port) return false;
  if (!p.wildcard) return p.host === o.host;
  return o.host.length > p.host.length + 1 && o.host.endsWith(`.${p.host}`) && !o.host.startsWith('[');
}

export function originAllowed(patterns: readonly string[], origin: string): boolean {
  return patterns.some((p) => originMatches(p, origin));
}
