import { webcrypto } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as x509 from '@peculiar/x509';

const ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
const DAY_MS = 86_400_000;
type CryptoKeyPair = webcrypto.CryptoKeyPair;

const pkcs8Pem = (der: ArrayBuffer): string =>
  `-----BEGIN PRIVATE KEY-----\n${Buffer.from(der).toString('base64').replace(/(.{64})/g, '$1\n').trimEnd()}\n-----END PRIVATE KEY-----\n`;

/**
 * A self-signed server certificate for `name`, as a partner's `--tls-cert`: valid from
 * `fromDays` to `toDays` relative to now (negative = in the past). Written to `dir`.
 */
export async function writePartnerCert(dir: string, name: string, fromDays: number, toDays: number): Promise<{ cert: string; key: string }> {
  const keys = await webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify']) as CryptoKeyPair;
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    name: `CN=${name}`, keys, signingAlgorithm: ALGORITHM,
    notBefore: new Date(Date.now() + fromDays * DAY_MS), notAfter: new Date(Date.now() + toDays * DAY_MS),
    extensions: [new x509.SubjectAlternativeNameExtension([{ type: 'dns', value: name }])],
  });
  const paths = { cert: join(dir, `${name}-${toDays}.pem`), key: join(dir, `${name}-${toDays}.key`) };
  writeFileSync(paths.cert, cert.toString('pem'));
  writeFileSync(paths.key, pkcs8Pem(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey)), { mode: 0o600 });
  return paths;
}
