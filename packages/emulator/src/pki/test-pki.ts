import type { KeyObject } from 'node:crypto';
import { issueCertificate, KeyUsage, type NameAttributes } from './certificates.js';
import { pkiKeys, type KeyAlgorithm, type KeyPairForms, type PkiKeys } from './key-pairs.js';

/** The public half of a virtual card's PKI, for tests that check what the card produced. */
export interface BeidTestPki {
  readonly algorithm: KeyAlgorithm;
  readonly rootCertificate: Uint8Array;
  readonly citizenCaCertificate: Uint8Array;
  readonly authenticationCertificate: Uint8Array;
  readonly nonRepudiationCertificate: Uint8Array;
  readonly rrnCertificate: Uint8Array;
  readonly authenticationPublicKey: KeyObject;
  readonly nonRepudiationPublicKey: KeyObject;
  readonly rrnPublicKey: KeyObject;
  /** Applet 1.8's card key (ref 81); its SPKI is EF 4040. */
  readonly basicPublicKey: KeyObject | undefined;
}

/** Private keys stay inside the card object; only this module and the card see them. */
export interface CardPrivateKeys {
  readonly authentication: KeyPairForms;
  readonly nonRepudiation: KeyPairForms;
  readonly basic: KeyPairForms | undefined;
  readonly rrn: KeyPairForms;
}

export interface CertificateHolder {
  readonly surname: string;
  readonly firstNames: string;
  readonly nationalNumber: string;
  readonly validityBegin: Date;
  readonly validityEnd: Date;
}

const YEAR_MS = 365.25 * 24 * 3600 * 1000;
const ORGANISATION = 'T1C Emulator (test only)';

function holderName(holder: CertificateHolder, role: 'Authentication' | 'Signature'): NameAttributes {
  const firstName = holder.firstNames.split(' ')[0] ?? holder.firstNames;
  return [
    ['C', 'BE'],
    ['CN', `${firstName} ${holder.surname} (${role})`],
    ['SN', holder.surname],
    ['G', holder.firstNames],
    ['serialNumber', holder.nationalNumber],
  ];
}

/** The certificates every card of one process shares: root, Citizen CA and RRN. */
interface Authorities {
  readonly rootCertificate: Uint8Array;
  readonly citizenCaCertificate: Uint8Array;
  readonly rrnCertificate: Uint8Array;
  readonly citizenCa: { readonly name: NameAttributes; readonly key: KeyPairForms };
}

async function issueAuthorities(keys: PkiKeys): Promise<Authorities> {
  const now = Date.now();
  const caFrom = new Date(now - YEAR_MS);
  const caUntil = new Date(now + 20 * YEAR_MS);
  const rootName: NameAttributes = [['C', 'BE'], ['O', ORGANISATION], ['CN', `Belgium Test Root CA (${keys.root.algorithm.toUpperCase()})`]];
  const caName: NameAttributes = [['C', 'BE'], ['O', ORGANISATION], ['CN', 'Citizen CA'], ['serialNumber', '202099']];
  const root = { name: rootName, key: keys.root };
  const [rootCertificate, citizenCaCertificate, rrnCertificate] = await Promise.all([
    issueCertificate({ subject: rootName, subjectKey: keys.root, notBefore: caFrom, notAfter: caUntil, ca: true, usages: KeyUsage.keyCertSign | KeyUsage.cRLSign }),
    issueCertificate({ subject: caName, subjectKey: keys.citizenCa, issuer: root, notBefore: caFrom, notAfter: caUntil, ca: true, usages: KeyUsage.keyCertSign | KeyUsage.cRLSign }),
    issueCertificate({ subject: [['C', 'BE'], ['O', ORGANISATION], ['CN', 'RRN']], subjectKey: keys.rrn, issuer: root, notBefore: caFrom, notAfter: caUntil, ca: false, usages: KeyUsage.digitalSignature | KeyUsage.nonRepudiation }),
  ]);
  return { rootCertificate, citizenCaCertificate, rrnCertificate, citizenCa: { name: caName, key: keys.citizenCa } };
}

/**
 * Real cards share a few Belgian roots, one RRN certificate and a Citizen CA per issuing
 * period; so cards made with the per-process keys share one specimen root, CA and RRN
 * certificate too (readers that remember root verdicts then behave as with real cards).
 */
const sharedAuthorities = new Map<KeyAlgorithm, Promise<Authorities>>();

function authorities(keys: PkiKeys, shared: boolean): Promise<Authorities> {
  if (!shared) return issueAuthorities(keys);
  let issued = sharedAuthorities.get(keys.root.algorithm);
  if (!issued) {
    issued = issueAuthorities(keys);
    sharedAuthorities.set(keys.root.algorithm, issued);
    issued.catch(() => sharedAuthorities.delete(keys.root.algorithm));
  }
  return issued;
}

/** A card's PKI: shared authorities (fresh ones with `freshKeys`) and the holder's two certificates. */
export async function buildTestPki(holder: CertificateHolder, algorithm: KeyAlgorithm, freshKeys = false): Promise<{ pki: BeidTestPki; keys: CardPrivateKeys }> {
  const keys: PkiKeys = await pkiKeys(algorithm, freshKeys);
  const { rootCertificate, citizenCaCertificate, rrnCertificate, citizenCa } = await authorities(keys, !freshKeys);
  const [authenticationCertificate, nonRepudiationCertificate] = await Promise.all([
    issueCertificate({ subject: holderName(holder, 'Authentication'), subjectKey: keys.authentication, issuer: citizenCa, notBefore: holder.validityBegin, notAfter: holder.validityEnd, ca: false, usages: KeyUsage.digitalSignature }),
    issueCertificate({ subject: holderName(holder, 'Signature'), subjectKey: keys.nonRepudiation, issuer: citizenCa, notBefore: holder.validityBegin, notAfter: holder.validityEnd, ca: false, usages: KeyUsage.nonRepudiation }),
  ]);
  const pki: BeidTestPki = {
    algorithm,
    rootCertificate, citizenCaCertificate, authenticationCertificate, nonRepudiationCertificate, rrnCertificate,
    authenticationPublicKey: keys.authentication.publicKey,
    nonRepudiationPublicKey: keys.nonRepudiation.publicKey,
    rrnPublicKey: keys.rrn.publicKey,
    basicPublicKey: keys.basic?.publicKey,
  };
  return { pki, keys: { authentication: keys.authentication, nonRepudiation: keys.nonRepudiation, basic: keys.basic, rrn: keys.rrn } };
}
