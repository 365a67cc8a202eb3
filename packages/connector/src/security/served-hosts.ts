import { X509Certificate } from 'node:crypto';
import type { HostPolicy } from '@t1c/ds/client';

/**
 * The DNS names in a certificate's subjectAltName. Wildcards are left out: a DNS-rebinding page
 * can live on any name a wildcard covers, so such a name must be configured exactly.
 */
export function certificateDnsNames(certPem: string): string[] {
  const san = new X509Certificate(certPem).subjectAltName ?? '';
  return san.split(', ')
    .filter((entry) => entry.startsWith('DNS:'))
    .map((entry) => entry.slice('DNS:'.length).toLowerCase())
    .filter((name) => !name.includes('*'));
}

/**
 * The Host headers the connector answers to: loopback names, the configured and transport
 * names, and the partner certificate's names, each with the real listening port. `port()` is
 * read per request, because with `--port 0` it is known only after listen.
 */
export function servedHosts(input: { scheme: 'http' | 'https'; names: readonly string[]; port: () => number; otherPorts?: () => readonly number[] }): HostPolicy {
  const names = [...new Set(input.names.map((n) => n.toLowerCase()))];
  const otherPorts = input.otherPorts;
  return {
    scheme: input.scheme,
    names,
    get port(): number { return input.port(); },
    ...(otherPorts ? { get otherPorts(): readonly number[] { return otherPorts(); } } : {}),
  };
}
