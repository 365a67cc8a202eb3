import { createSocket } from 'node:dgram';
import { lookup } from 'node:dns/promises';
import { randomInt } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import * as packet from 'dns-packet';
import type { DnsAnswer, DnsQuery, Resolver } from '../types.js';

const TIMEOUT_MS = 3000;

/** The `nameserver` lines of resolv.conf (port 53); Windows and macOS fall back to Node's view. */
export function resolvConfServers(text: string): { host: string; port: number }[] {
  return text.split('\n').map((l) => /^\s*nameserver\s+(\S+)/.exec(l)?.[1]).filter((h): h is string => h !== undefined && isIP(h.split('%')[0] ?? '') !== 0).map((host) => ({ host, port: 53 }));
}

const dataText = (data: unknown): string => {
  if (typeof data === 'string') return data;
  if (Buffer.isBuffer(data)) return data.toString('hex');
  return JSON.stringify(data, (_k, v: unknown) => (Buffer.isBuffer(v) ? v.toString('hex') : v));
};

/** Sends one query over UDP and decodes the answer (dns-packet); no retries: a doctor asks once. */
export async function sendQuery(q: DnsQuery): Promise<DnsAnswer> {
  const flags = (q.recursive === false ? 0 : packet.RECURSION_DESIRED) | (q.checkingDisabled ? packet.CHECKING_DISABLED : 0) | (q.dnssec ? packet.AUTHENTIC_DATA : 0);
  const id = randomInt(0, 65536);
  const query = packet.encode({
    type: 'query', id, flags,
    questions: [{ type: q.type, name: q.name }],
    additionals: [{ type: 'OPT', name: '.', udpPayloadSize: 4096, extendedRcode: 0, ednsVersion: 0, flags: q.dnssec ? packet.DNSSEC_OK : 0, flag_do: q.dnssec === true, options: [] }],
  });
  const socket = createSocket(isIP(q.server) === 6 ? 'udp6' : 'udp4');
  try {
    const reply = await new Promise<Buffer>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no answer from ${q.server} within ${TIMEOUT_MS / 1000} s`)), TIMEOUT_MS);
      socket.on('error', (e) => { clearTimeout(timer); reject(e); });
      socket.on('message', (msg) => {
        if (msg.length >= 2 && msg.readUInt16BE(0) === id) { clearTimeout(timer); resolve(msg); }
      });
      socket.send(query, q.port ?? 53, q.server);
    });
    const decoded = packet.decode(reply);
    const records = (list: packet.Answer[] | undefined): DnsAnswer['answers'] => (list ?? []).map((a) => ({ type: a.type, name: a.name, data: 'data' in a ? dataText(a.data) : '' }));
    return {
      rcode: 'rcode' in decoded && typeof decoded.rcode === 'string' ? decoded.rcode : 'NOERROR',
      flags: { ad: decoded.flag_ad, aa: decoded.flag_aa },
      answers: records(decoded.answers),
      authorities: records(decoded.authorities),
      records: (decoded.answers ?? []).map((a) => ({ name: a.name, type: a.type, ttl: 'ttl' in a ? a.ttl ?? 0 : 0, data: 'data' in a ? a.data : undefined })),
    };
  } finally {
    socket.close();
  }
}

/** The operating system's resolver plus direct queries to the servers it is configured with. */
export function systemResolver(resolvConf = '/etc/resolv.conf'): Resolver {
  return {
    lookup: async (name) => (await lookup(name, { all: true, verbatim: true })).map((a) => a.address),
    servers: () => {
      try {
        return resolvConfServers(readFileSync(resolvConf, 'utf8'));
      } catch {
        return [];
      }
    },
    query: sendQuery,
  };
}
