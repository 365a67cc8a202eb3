// @peculiar/x509's tsyringe needs the Reflect metadata polyfill loaded first.
import 'reflect-metadata';
import { webcrypto, X509Certificate as NodeX509 } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import * as x509 from '@peculiar/x509';
import { readIfExists, writePrivateFile } from '../security/private-file.js';
import { caNameConstraints, permittedDnsNames } from './name-constraints.js';

type CryptoKey = webcrypto.CryptoKey;
type CryptoKeyPair = webcrypto.CryptoKeyPair;

const ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const DAY_MS = 86_400_000;
const CA_DAYS = 3650;
const LEAF_DAYS = 180;
/** Renew when less than this is left, so a running install never serves an expired leaf. */
export const RENEW_BEFORE_DAYS = 30;

export interface LocalCaFiles {
  readonly caCertPem: string;
  readonly certPem: string;
  readonly keyPem: string;
  readonly caCertPath: string;
  readonly renewed: boolean;
  /** The CA itself was re-made (new names, or a CA without name constraints): trust it again. */
  readonly caRenewed: boolean;
  /** The CA was made on this call (first start, or anew): nothing trusts it yet. */
  readonly caCreated: boolean;
  /** The CA it replaced, kept (certificate only) so `t1c cert install` can remove it from the stores. */
  readonly previousCaCertPem: string | undefined;
}

const paths = (dataDir: string) => ({
  caKey: join(dataDir, 'tls', 'ca-key.pem'),
  caCert: join(dataDir, 'tls', 'ca.pem'),
  key: join(dataDir, 'tls', 'localhost-key.pem'),
  cert: join(dataDir, 'tls', 'localhost.pem'),
});

/** The CA certificate (no key) replaced when the names changed; see ensureLocalCa. */
export const previousCaPath = (dataDir: string): string => join(dataDir, 'tls', 'ca-previous.pem');

/** The DNS names the CA may certify: localhost and the configured names, lower-cased, sorted. */
export function caDnsNames(hostnames: readonly string[]): string[] {
  return [...new Set(['localhost', ...hostnames.map((h) => h.toLowerCase())])].sort();
}

function toPem(der: ArrayBuffer, label: string): string {
  const b64 = Buffer.from(der).toString('base64').replace(/(.{64})/g, '$1\n').trimEnd();
  return `-----BEGIN ${label}-----\n${b64}\n-----END ${label}-----\n`;
}

async function importKey(pem: string): Promise<CryptoKey> {
  const der = Buffer.from(pem.replace(/-----[^-]+-----|\s/g, ''), 'base64');
  return webcrypto.subtle.importKey('pkcs8', der, ALGORITHM, true, ['sign']) as Promise<CryptoKey>;
}

async function createCa(dnsNames: readonly string[]): Promise<{ certPem: string; keyPem: string }> {
  const keys = await webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify']) as CryptoKeyPair;
  const id = Buffer.from(webcrypto.getRandomValues(new Uint8Array(4))).toString('hex');
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    name: `CN=T1C Local CA ${id}, O=t1c connector (this computer only)`,
    keys,
    notBefore: new Date(Date.now() - DAY_MS),
    notAfter: new Date(Date.now() + CA_DAYS * DAY_MS),
    signingAlgorithm: ALGORITHM,
    extensions: [
      // pathLength 0: no intermediate CA below it. Name constraints: a stolen CA key (or a bug)
      // cannot mint a certificate browsers accept for any other site.
      new x509.BasicConstraintsExtension(true, 0, true),
      caNameConstraints(dnsNames),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { certPem: cert.toString('pem'), keyPem: toPem(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey), 'PRIVATE KEY') };
}

async function createLeaf(caCertPem: string, caKeyPem: string, hostnames: readonly string[]): Promise<{ certPem: string; keyPem: string }> {
  const ca = new x509.X509Certificate(caCertPem);
  const keys = await webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify']) as CryptoKeyPair;
  const dns = ['localhost', ...hostnames.filter((h) => h !== 'localhost')];
  const cert = await x509.X509CertificateGenerator.create({
    subject: 'CN=localhost',
    issuer: ca.subject,
    publicKey: keys.publicKey,
    signingKey: await importKey(caKeyPem),
    notBefore: new Date(Date.now() - DAY_MS),
    notAfter: new Date(Date.now() + LEAF_DAYS * DAY_MS),
    signingAlgorithm: ALGORITHM,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension([
        ...dns.map((value) => ({ type: 'dns' as const, value })),
        { type: 'ip', value: '127.0.0.1' },
        { type: 'ip', value: '::1' },
      ]),
      await x509.AuthorityKeyIdentifierExtension.create(ca),
    ],
  });
  return { certPem: cert.toString('pem'), keyPem: toPem(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey), 'PRIVATE KEY') };
}

/** True when the leaf is missing, expires within RENEW_BEFORE_DAYS, or lacks a hostname. */
function leafNeedsRenewal(certPem: string | undefined, caPem: string, hostnames: readonly string[], now: Date): boolean {
  if (!certPem) return true;
  const leaf = new NodeX509(certPem);
  if (!leaf.checkIssued(new NodeX509(caPem))) return true;
  if (new Date(leaf.validTo).getTime() - now.getTime() < RENEW_BEFORE_DAYS * DAY_MS) return true;
  const san = leaf.subjectAltName ?? '';
  return hostnames.some((h) => !san.split(', ').includes(`DNS:${h}`));
}

/** True when the CA's name constraints are missing or name other DNS names than wanted. */
function caNeedsRemaking(caCertPem: string, dnsNames: readonly string[]): boolean {
  const permitted = permittedDnsNames(new x509.X509Certificate(caCertPem));
  return permitted === undefined || permitted.join('\n') !== dnsNames.join('\n');
}

/**
 * The per-install CA and its `localhost` leaf, created on first start and kept (0600) in the
 * user's data directory only. The leaf is renewed ahead of expiry; the CA stays, so a
 * trust-store entry made by `t1c cert install` keeps working, until the configured names
 * change: its name constraints are fixed at creation, so it is then made anew (new key, the
 * old key overwritten) and must be trusted again; the old certificate is kept aside so
 * `t1c cert install` can take it out of the stores.
 */
export async function ensureLocalCa(dataDir: string, hostnames: readonly string[] = [], now = new Date()): Promise<LocalCaFiles> {
  const p = paths(dataDir);
  const dnsNames = caDnsNames(hostnames);
  let caCertPem = readIfExists(p.caCert);
  let caKeyPem = readIfExists(p.caKey);
  let caRenewed = false;
  let caCreated = false;
  if (!caCertPem || !caKeyPem || caNeedsRemaking(caCertPem, dnsNames)) {
    if (caCertPem && caKeyPem) {
      writePrivateFile(previousCaPath(dataDir), caCertPem);
      caRenewed = true;
    }
    const ca = await createCa(dnsNames);
    caCreated = true;
    writePrivateFile(p.caKey, ca.keyPem);
    writePrivateFile(p.caCert, ca.certPem);
    // The leaf of the old CA is useless now; never serve it.
    rmSync(p.cert, { force: true });
    rmSync(p.key, { force: true });
    caCertPem = ca.certPem;
    caKeyPem = ca.keyPem;
  }
  let certPem = readIfExists(p.cert);
  let keyPem = readIfExists(p.key);
  let renewed = false;
  if (!keyPem || leafNeedsRenewal(certPem, caCertPem, hostnames, now)) {
    const leaf = await createLeaf(caCertPem, caKeyPem, hostnames);
    writePrivateFile(p.key, leaf.keyPem);
    writePrivateFile(p.cert, leaf.certPem);
    certPem = leaf.certPem;
    keyPem = leaf.keyPem;
    renewed = true;
  }
  return { caCertPem, certPem: certPem ?? '', keyPem, caCertPath: p.caCert, renewed, caRenewed, caCreated, previousCaCertPem: readIfExists(previousCaPath(dataDir)) };
}

export const localCaPaths = paths;
