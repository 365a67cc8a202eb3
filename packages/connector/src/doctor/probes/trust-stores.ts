import { X509Certificate } from 'node:crypto';
import { rootCertificates } from 'node:tls';
import { join } from 'node:path';
import { nssDatabases } from '../../os/trust-store.js';
import type { CommandRunner } from '../types.js';

/** One store a browser of this user reads, and the certificates it trusts for TLS servers. */
export interface TrustStore {
  readonly store: string;
  /** SHA-1 fingerprints (hex, upper case, no colons) of anchors; or full certificates where the store gives them. */
  readonly sha1: ReadonlySet<string>;
  readonly certificates: readonly X509Certificate[];
}

const sha1Of = (c: X509Certificate): string => c.fingerprint.replace(/:/g, '').toUpperCase();

/** `certutil -L -d sql:DB`: "nickname   C,C,C" lines after the header. */
export function parseNssList(output: string): { nickname: string; sslTrust: string }[] {
  return output.split('\n').map((l) => /^(.+?)\s{2,}([CcPpTu]*),([^,\s]*),([^,\s]*)\s*$/.exec(l.trimEnd()))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ nickname: (m[1] ?? '').trim(), sslTrust: m[2] ?? '' }));
}

const pemsIn = (text: string): string[] => text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];

function nssStores(run: CommandRunner, home: string): TrustStore[] {
  return nssDatabases(home).filter((db) => db.exists).map((db) => {
    const list = run('certutil', ['-L', '-d', `sql:${db.dir}`]);
    const certificates = parseNssList(list.stdout).filter((e) => e.sslTrust.includes('C')).flatMap((e) => {
      const pem = run('certutil', ['-L', '-d', `sql:${db.dir}`, '-n', e.nickname, '-a']);
      return pemsIn(pem.stdout).map((p) => new X509Certificate(p));
    });
    return { store: db.store, sha1: new Set(certificates.map(sha1Of)), certificates };
  });
}

/** `certutil -user -store Root` (Windows): "Cert Hash(sha1): 01 02 …" or "…: 0102…" lines. */
export function parseWindowsStore(output: string): Set<string> {
  return new Set([...output.matchAll(/\(sha1\):\s*([0-9a-fA-F ]{40,59})\s*$/gm)].map((m) => (m[1] ?? '').replace(/\s/g, '').toUpperCase()));
}

/** `security find-certificate -a -Z KEYCHAIN` (macOS): "SHA-1 hash: HEX" lines. */
export function parseKeychainHashes(output: string): Set<string> {
  return new Set([...output.matchAll(/^SHA-1 hash:\s*([0-9A-Fa-f]{40})\s*$/gm)].map((m) => (m[1] ?? '').toUpperCase()));
}

/** The stores this user's browsers read on this platform. */
export function userTrustStores(run: CommandRunner, platform: NodeJS.Platform, home: string): TrustStore[] {
  if (platform === 'win32') {
    const r = run('certutil', ['-user', '-store', 'Root']);
    return r.status === 0 ? [{ store: 'Windows current-user Root store', sha1: parseWindowsStore(r.stdout), certificates: [] }] : [];
  }
  if (platform === 'darwin') {
    const r = run('security', ['find-certificate', '-a', '-Z', join(home, 'Library', 'Keychains', 'login.keychain-db')]);
    return r.status === 0 ? [{ store: 'macOS login keychain', sha1: parseKeychainHashes(r.stdout), certificates: [] }] : [];
  }
  return nssStores(run, home);
}

/** Node's bundled public roots: what a publicly trusted partner certificate chains to. */
export function publicRoots(): TrustStore {
  const certificates = rootCertificates.map((p) => new X509Certificate(p));
  return { store: 'public root CAs', sha1: new Set(certificates.map(sha1Of)), certificates };
}

/** Whether `store` anchors `chain` (leaf first): holds one of its certificates, or the issuer of its top. */
export function anchors(store: TrustStore, chain: readonly X509Certificate[]): boolean {
  if (chain.some((c) => store.sha1.has(sha1Of(c)))) return true;
  const top = chain[chain.length - 1];
  return top !== undefined && store.certificates.some((anchor) => top.checkIssued(anchor) && top.verify(anchor.publicKey));
}
