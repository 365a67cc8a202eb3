import { createHash, createPublicKey, verify, type KeyObject } from 'node:crypto';
import * as packet from 'dns-packet';
import type { DnskeyData, DsData, RrsigData } from 'dns-packet';

/**
 * DNSSEC validation by the doctor itself (RFC 4034/4035), for a resolver that does not
 * validate: from a configured trust anchor (a DS or DNSKEY record of a zone) down to the
 * name's A records, one zone cut at a time. Only what the question needs: no NSEC proofs,
 * no wildcards, no CNAME chains.
 */

export interface RawRecord {
  readonly name: string;
  readonly type: string;
  readonly ttl: number;
  readonly data: unknown;
}

/** Asks the resolver with the DO bit and returns the answer section as dns-packet decoded it. */
export type RawQuery = (name: string, type: 'A' | 'DNSKEY' | 'DS') => Promise<readonly RawRecord[]>;

export interface TrustAnchor {
  readonly zone: string;
  readonly ds: readonly DsData[];
  readonly dnskeys: readonly DnskeyData[];
}

export type Validation = { readonly secure: true; readonly chain: readonly string[] } | { readonly secure: false; readonly reason: string };

const canonicalName = (n: string): string => n.toLowerCase().replace(/\.$/, '');
// dns-packet writes the root name as two zero bytes; on the wire (and in digests) it is one.
const nameWire = (n: string): Buffer => (canonicalName(n) === '' ? Buffer.from([0]) : packet.name.encode(canonicalName(n)));
/** rdata without its 2-byte length. */
const rdata = (type: string, data: unknown): Buffer => packet.record(type).encode(data).subarray(2);

/** The key tag of RFC 4034 appendix B. */
export function keyTag(key: DnskeyData): number {
  const wire = rdata('DNSKEY', key);
  let sum = 0;
  for (let i = 0; i < wire.length; i++) sum += (i & 1) === 0 ? (wire[i] ?? 0) << 8 : wire[i] ?? 0;
  sum += (sum >> 16) & 0xffff;
  return sum & 0xffff;
}

const DIGESTS: Record<number, string> = { 1: 'sha1', 2: 'sha256', 4: 'sha384' };

/** Whether `ds` is the digest of `key` owned by `zone`. */
export function dsMatches(zone: string, key: DnskeyData, ds: DsData): boolean {
  const hash = DIGESTS[ds.digestType];
  if (!hash || ds.algorithm !== key.algorithm || ds.keyTag !== keyTag(key)) return false;
  return createHash(hash).update(Buffer.concat([nameWire(zone), rdata('DNSKEY', key)])).digest().equals(ds.digest);
}

function publicKey(key: DnskeyData): { key: KeyObject; hash: string | null; dsaEncoding?: 'ieee-p1363' } | undefined {
  const k = key.key;
  const ec = (crv: string, size: number, hash: string): ReturnType<typeof publicKey> => ({
    key: createPublicKey({ key: { kty: 'EC', crv, x: k.subarray(0, size).toString('base64url'), y: k.subarray(size, 2 * size).toString('base64url') }, format: 'jwk' }),
    hash, dsaEncoding: 'ieee-p1363',
  });
  switch (key.algorithm) {
    case 8:
    case 10: {
      const long = k[0] === 0;
      const expLength = long ? k.readUInt16BE(1) : k[0] ?? 0;
      const start = long ? 3 : 1;
      const e = k.subarray(start, start + expLength);
      const n = k.subarray(start + expLength);
      return { key: createPublicKey({ key: { kty: 'RSA', n: n.toString('base64url'), e: e.toString('base64url') }, format: 'jwk' }), hash: key.algorithm === 8 ? 'sha256' : 'sha512' };
    }
    case 13: return ec('P-256', 32, 'sha256');
    case 14: return ec('P-384', 48, 'sha384');
    case 15: return { key: createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: k.toString('base64url') }, format: 'jwk' }), hash: null };
    default: return undefined;
  }
}

/** Verifies one RRSIG over `rrset` with one of `keys`, at `nowSeconds`. */
export function verifyRrset(rrset: readonly RawRecord[], sig: RrsigData, keys: readonly DnskeyData[], nowSeconds: number): boolean {
  if (nowSeconds < sig.inception || nowSeconds > sig.expiration) return false;
  const first = rrset[0];
  if (!first) return false;
  const header = Buffer.alloc(18);
  header.writeUInt16BE(typeCode(sig.typeCovered), 0);
  header.writeUInt8(sig.algorithm, 2);
  header.writeUInt8(sig.labels, 3);
  header.writeUInt32BE(sig.originalTTL, 4);
  header.writeUInt32BE(sig.expiration, 8);
  header.writeUInt32BE(sig.inception, 12);
  header.writeUInt16BE(sig.keyTag, 16);
  const owner = nameWire(first.name);
  const records = rrset.map((r) => rdata(r.type, r.data)).sort(Buffer.compare).map((rd) => {
    const fixed = Buffer.alloc(10);
    fixed.writeUInt16BE(typeCode(first.type), 0);
    fixed.writeUInt16BE(1, 2);
    fixed.writeUInt32BE(sig.originalTTL, 4);
    fixed.writeUInt16BE(rd.length, 8);
    return Buffer.concat([owner, fixed, rd]);
  });
  const signed = Buffer.concat([header, nameWire(sig.signersName), ...records]);
  return keys.filter((k) => k.algorithm === sig.algorithm && keyTag(k) === sig.keyTag).some((k) => {
    const pk = publicKey(k);
    if (!pk) return false;
    try {
      return verify(pk.hash, signed, pk.dsaEncoding ? { key: pk.key, dsaEncoding: pk.dsaEncoding } : pk.key, sig.signature);
    } catch {
      return false;
    }
  });
}

const TYPE_CODES: Record<string, number> = { A: 1, NS: 2, SOA: 6, AAAA: 28, DS: 43, RRSIG: 46, DNSKEY: 48 };
function typeCode(type: string): number {
  const code = TYPE_CODES[type];
  if (code === undefined) throw new Error(`no DNSSEC support for ${type} records here`);
  return code;
}

const rrsetOf = (records: readonly RawRecord[], type: string): RawRecord[] => records.filter((r) => r.type === type);
const sigsFor = (records: readonly RawRecord[], type: string): RrsigData[] =>
  records.filter((r) => r.type === 'RRSIG').map((r) => r.data as RrsigData).filter((s) => s.typeCovered === type);

/** The zone's DNSKEY set, trusted when a key matches a trusted DS (or is an anchored key) and signs the set. */
async function trustedKeys(query: RawQuery, zone: string, ds: readonly DsData[], anchoredKeys: readonly DnskeyData[], now: number): Promise<DnskeyData[] | string> {
  const answer = await query(zone, 'DNSKEY');
  const keySet = rrsetOf(answer, 'DNSKEY');
  const keys = keySet.map((r) => r.data as DnskeyData);
  if (keys.length === 0) return `no DNSKEY records for ${zone}`;
  const entry = keys.filter((k) => ds.some((d) => dsMatches(zone, k, d)) || anchoredKeys.some((a) => a.key.equals(k.key) && a.algorithm === k.algorithm));
  if (entry.length === 0) return `no DNSKEY of ${zone} matches the trust anchor`;
  if (!sigsFor(answer, 'DNSKEY').some((s) => verifyRrset(keySet, s, entry, now))) return `the DNSKEY set of ${zone} is not signed by its anchored key`;
  return keys;
}

/** Validates the A records of `name` from `anchor` down. */
export async function validateAddress(query: RawQuery, name: string, anchor: TrustAnchor, nowMs: number): Promise<Validation> {
  const now = Math.floor(nowMs / 1000);
  const target = canonicalName(name);
  const top = canonicalName(anchor.zone);
  if (target !== top && !target.endsWith(`.${top}`)) return { secure: false, reason: `the trust anchor is for ${top}, not an ancestor of ${target}` };
  const answer = await query(target, 'A');
  const rrset = rrsetOf(answer, 'A');
  const sig = sigsFor(answer, 'A')[0];
  if (rrset.length === 0) return { secure: false, reason: `no A records for ${target}` };
  if (!sig) return { secure: false, reason: `the A records of ${target} carry no signature (unsigned zone)` };
  const signer = canonicalName(sig.signersName);
  if (signer !== top && !signer.endsWith(`.${top}`)) return { secure: false, reason: `${target} is signed by ${signer}, outside the anchored ${top}` };
  // Zone cuts from the anchor to the signer, e.g. example. → t1c.example.
  const extra = signer === top ? [] : signer.slice(0, -top.length - 1).split('.').reverse();
  let zone = top;
  let keys = await trustedKeys(query, zone, anchor.ds, anchor.dnskeys, now);
  const chain = [top];
  for (const label of extra) {
    if (typeof keys === 'string') return { secure: false, reason: keys };
    const child = `${label}.${zone}`;
    const dsAnswer = await query(child, 'DS');
    const dsSet = rrsetOf(dsAnswer, 'DS');
    const zoneKeys = keys;
    if (dsSet.length > 0 && !sigsFor(dsAnswer, 'DS').some((s) => verifyRrset(dsSet, s, zoneKeys, now))) return { secure: false, reason: `the DS of ${child} does not verify` };
    // No DS: not a zone cut (the label is inside the parent zone); go on with the same keys.
    if (dsSet.length > 0) {
      keys = await trustedKeys(query, child, dsSet.map((r) => r.data as DsData), [], now);
      chain.push(child);
    }
    zone = child;
  }
  if (typeof keys === 'string') return { secure: false, reason: keys };
  if (!verifyRrset(rrset, sig, keys, now)) return { secure: false, reason: `the signature over the A records of ${target} does not verify (bogus or expired)` };
  return { secure: true, chain };
}

/** A trust anchor in zone-file form: `zone. [TTL] IN DS tag alg type HEX` or `zone. [TTL] IN DNSKEY flags 3 alg BASE64`. */
export function parseTrustAnchor(text: string): TrustAnchor | undefined {
  const ds: DsData[] = [];
  const dnskeys: DnskeyData[] = [];
  let zone: string | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.replace(/;.*$/, '').trim();
    const m = /^(\S+)\s+(?:\d+\s+)?(?:IN\s+)?(DS|DNSKEY)\s+(.+)$/i.exec(line);
    if (!m?.[1] || !m[2] || !m[3]) continue;
    const f = m[3].split(/\s+/);
    zone = canonicalName(m[1]);
    if (m[2].toUpperCase() === 'DS' && f.length >= 4) {
      ds.push({ keyTag: Number(f[0]), algorithm: Number(f[1]), digestType: Number(f[2]), digest: Buffer.from(f.slice(3).join(''), 'hex') });
    } else if (m[2].toUpperCase() === 'DNSKEY' && f.length >= 4) {
      dnskeys.push({ flags: Number(f[0]), algorithm: Number(f[2]), key: Buffer.from(f.slice(3).join(''), 'base64') });
    }
  }
  return zone === undefined ? undefined : { zone, ds, dnskeys };
}
