// @peculiar/x509's tsyringe needs the Reflect metadata polyfill loaded first.
import 'reflect-metadata';
import { randomBytes, webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import type { KeyPairForms } from './key-pairs.js';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

const SERIAL_NUMBER_OID = '2.5.4.5';

/** Names as x509.Name JSON: one attribute per RDN, in the order real BEID certificates use. */
export type NameAttributes = readonly (readonly [string, string])[];

export interface IssueRequest {
  readonly subject: NameAttributes;
  readonly subjectKey: KeyPairForms;
  /** Absent for a self-signed root. */
  readonly issuer?: { readonly name: NameAttributes; readonly key: KeyPairForms };
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly ca: boolean;
  readonly usages: x509.KeyUsageFlags;
}

function toName(attributes: NameAttributes): x509.Name {
  return new x509.Name(attributes.map(([type, value]) => ({ [type === 'serialNumber' ? SERIAL_NUMBER_OID : type]: [value] })));
}

function signingAlgorithm(key: KeyPairForms): webcrypto.Algorithm | webcrypto.EcdsaParams {
  return key.algorithm === 'rsa' ? { name: 'RSASSA-PKCS1-v1_5' } : { name: 'ECDSA', hash: 'SHA-384' };
}

/** Issues one DER certificate; serial numbers are random and positive like real issuers'. */
export async function issueCertificate(request: IssueRequest): Promise<Uint8Array> {
  const issuerKey = request.issuer?.key ?? request.subjectKey;
  const serial = randomBytes(16);
  serial[0] = (serial[0] ?? 0) & 0x7f | 0x10;
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(request.ca, request.ca ? 0 : undefined, true),
    new x509.KeyUsagesExtension(request.usages, true),
    await x509.SubjectKeyIdentifierExtension.create(request.subjectKey.webKeys.publicKey),
    await x509.AuthorityKeyIdentifierExtension.create(issuerKey.webKeys.publicKey),
  ];
  const certificate = await x509.X509CertificateGenerator.create({
    serialNumber: serial.toString('hex'),
    subject: toName(request.subject),
    issuer: toName(request.issuer?.name ?? request.subject),
    notBefore: request.notBefore,
    notAfter: request.notAfter,
    publicKey: request.subjectKey.webKeys.publicKey,
    signingKey: issuerKey.webKeys.privateKey,
    signingAlgorithm: signingAlgorithm(issuerKey),
    extensions,
  });
  return new Uint8Array(certificate.rawData);
}

export const KeyUsage = x509.KeyUsageFlags;
