import { isIP } from 'node:net';

/** Loopback by name or address: plain HTTP to it never leaves the machine; a server bound to it is local. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.trim().replace(/^\[|\]$/g, '').toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  if (isIP(host) === 6) return host === '::1' || host === '0:0:0:0:0:0:0:1';
  return false;
}

/**
 * Why `url` may not carry DS trust (keys, allow-list, admin token), or undefined when it may:
 * HTTPS anywhere, plain HTTP only to loopback, where no one sits in the middle.
 */
export function insecureUrlProblem(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return `${url.slice(0, 200)} is not a URL`;
  }
  if (parsed.protocol === 'https:') return undefined;
  if (parsed.protocol !== 'http:') return `${parsed.protocol} URLs are not supported (use https://)`;
  if (isLoopbackHost(parsed.hostname)) return undefined;
  return `plain http:// is refused for ${parsed.host}: a man in the middle could change the keys and allowed origins; use https:// (http:// only to 127.0.0.1, ::1 or localhost)`;
}
