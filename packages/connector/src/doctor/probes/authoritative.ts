import { isIP } from 'node:net';
import type { DnsAnswer, Resolver } from '../types.js';
import { isLoopback } from './loopback.js';

export interface AuthoritativeView {
  readonly zone: string;
  readonly server: string;
  readonly addresses: readonly string[];
}

/**
 * Asks the name's own authoritative servers, bypassing the resolver: the zone from the SOA the
 * resolver returned, its NS, their addresses, then the A record without recursion. This tells
 * a name that does not exist from one the resolver drops.
 */
export async function askAuthoritative(resolver: Resolver, server: { host: string; port: number }, name: string, first: DnsAnswer): Promise<AuthoritativeView | undefined> {
  const soa = first.authorities.find((a) => a.type === 'SOA');
  const zone = soa?.name ?? name.split('.').slice(1).join('.');
  if (zone === '') return undefined;
  const ns = await resolver.query({ name: zone, type: 'NS', server: server.host, port: server.port });
  for (const record of ns.answers.filter((a) => a.type === 'NS')) {
    const nsName = record.data;
    const glue = await resolver.query({ name: nsName, type: 'A', server: server.host, port: server.port });
    for (const a of glue.answers.filter((r) => r.type === 'A' && isIP(r.data) === 4)) {
      try {
        const direct = await resolver.query({ name, type: 'A', server: a.data, recursive: false });
        const addresses = direct.answers.filter((r) => r.type === 'A').map((r) => r.data);
        if (addresses.length > 0) return { zone, server: `${nsName} (${a.data})`, addresses };
      } catch {
        // An unreachable server: try the next.
      }
    }
  }
  return undefined;
}

export const allLoopback = (addresses: readonly string[]): boolean => addresses.length > 0 && addresses.every(isLoopback);
