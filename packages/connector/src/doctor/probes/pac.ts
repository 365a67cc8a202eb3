import { isIPv4 } from 'node:net';
import { runInNewContext } from 'node:vm';

const ipToInt = (ip: string): number => ip.split('.').reduce((n, o) => (n * 256) + Number(o), 0);

/**
 * The standard PAC helper functions (Netscape's, as every browser provides them). DNS helpers
 * answer from `addresses` only: the doctor resolved the names it cares about before, and a PAC
 * file gets no network of its own here.
 */
function pacHelpers(addresses: ReadonlyMap<string, string>, now: Date): Record<string, unknown> {
  // PAC files pass whatever they have (often dnsResolve's null) on; anything not a string resolves to nothing.
  const dnsResolve = (host: unknown): string | null => (typeof host !== 'string' ? null : isIPv4(host) ? host : addresses.get(host.toLowerCase()) ?? null);
  const days = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];
  return {
    isPlainHostName: (host: string) => !host.includes('.'),
    dnsDomainIs: (host: string, domain: string) => host.toLowerCase().endsWith(domain.toLowerCase()),
    localHostOrDomainIs: (host: string, hostdom: string) => host === hostdom || (!host.includes('.') && hostdom.startsWith(`${host}.`)),
    isResolvable: (host: string) => dnsResolve(host) !== null,
    isInNet: (host: unknown, pattern: string, mask: string) => {
      const ip = dnsResolve(host);
      if (ip === null || !isIPv4(pattern) || !isIPv4(mask)) return false;
      const m = ipToInt(mask);
      // `>>> 0` keeps the 32-bit AND unsigned.
      return ((ipToInt(ip) & m) >>> 0) === ((ipToInt(pattern) & m) >>> 0);
    },
    dnsResolve,
    myIpAddress: () => '127.0.0.1',
    dnsDomainLevels: (host: string) => host.split('.').length - 1,
    shExpMatch: (str: string, exp: string) => new RegExp(`^${exp.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`).test(str),
    weekdayRange: (from: string, to?: string) => {
      const today = now.getDay();
      const a = days.indexOf(from.toUpperCase());
      const b = to === undefined || to === 'GMT' ? a : days.indexOf(to.toUpperCase());
      return a <= b ? today >= a && today <= b : today >= a || today <= b;
    },
    // Date and time windows are rare in proxy files and ambiguous to evaluate; treated as "in range".
    dateRange: () => true,
    timeRange: () => true,
    alert: () => undefined,
  };
}

/** Evaluates a PAC script for `url` in a fresh V8 context (no require, no process, 1 s budget). */
export function evaluatePac(script: string, url: string, host: string, addresses: ReadonlyMap<string, string>, now = new Date()): string {
  const sandbox = pacHelpers(addresses, now);
  runInNewContext(script, sandbox, { timeout: 1000, filename: 'proxy.pac' });
  const result: unknown = runInNewContext('FindProxyForURL(__url, __host)', Object.assign(sandbox, { __url: url, __host: host }), { timeout: 1000 });
  if (typeof result !== 'string') throw new Error('FindProxyForURL returned no string');
  return result.trim();
}

/** "DIRECT" first means the browser goes direct; "PROXY a:1; DIRECT" tries the proxy first. */
export const pacGoesDirect = (result: string): boolean => /^DIRECT\b/i.test(result.split(';')[0]?.trim() ?? '');
