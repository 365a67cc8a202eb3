import { createHash, verify, type KeyObject, type VerifyKeyObjectInput, type X509Certificate } from 'node:crypto';
import { trimDer } from '../codec/der.js';
import { bytesEqual, concatBytes } from '../codec/hex.js';
import { trimTrailingZeros } from './identity.js';
import { parseCertificate } from './parsed-certificates.js';
import { rememberRootPass, rootVerdictCached } from './root-verdict-cache.js';

/** One integrity check: passed, or failed with the reason. `skipped` when it does not apply. */
export interface IntegrityCheck {
  readonly ok: boolean;
  readonly skipped?: boolean;
  readonly reason?: string;
}

export interface IntegrityReport {
  /** All applicable checks passed. */
  readonly valid: boolean;
  readonly identitySignature: IntegrityCheck;
  readonly addressSignature: IntegrityCheck;
  readonly photoHash: IntegrityCheck;
  readonly rrnCertificate: IntegrityCheck;
  readonly basicKeyHash: IntegrityCheck;
}

export interface IntegrityInput {
  readonly identityFile: Uint8Array;
  readonly identitySignatureFile: Uint8Array;
  readonly addressFile: Uint8Array;
  readonly addressSignatureFile: Uint8Array;
  readonly photo: Uint8Array;
  readonly photoHash: Uint8Array;
  readonly rrnCertificate: Uint8Array | undefined;
  readonly rootCertificate: Uint8Array | undefined;
  /** Applet 1.8 only: EF 4040 and identity tag 1A. */
  readonly basicPublicKeyFile?: Uint8Array | undefined;
  readonly basicKeyHash?: Uint8Array | undefined;
}

const pass: IntegrityCheck = { ok: true };
const failed = (reason: string): IntegrityCheck => ({ ok: false, reason });

const HASH_BY_LENGTH: ReadonlyMap<number, string> = new Map([[20, 'sha1'], [32, 'sha256'], [48, 'sha384'], [64, 'sha512']]);

/** node:crypto's verify with a callback runs on the thread pool, so it overlaps the card I/O still going on. */
function verifyOffThread(hash: string, data: Uint8Array, key: KeyObject | VerifyKeyObjectInput, signature: Uint8Array): Promise<boolean> {
  return new Promise((resolve) => {
    verify(hash, data, key, signature, (error, ok) => resolve(error === null && ok));
  });
}

/**
 * RRN signatures: ECDSA-SHA384 in DER inside zero padding for EC keys; PKCS#1 v1.5 for RSA
 * with the hash the photo-hash length implies, then SHA-256 (re-signed cards), beid-card.md §6.2.
 */
async function verifyRrnSignature(key: KeyObject, data: Uint8Array, signatureFile: Uint8Array, photoHashLength: number): Promise<boolean> {
  if (key.asymmetricKeyType === 'ec') {
    const der = trimDer(signatureFile);
    return der !== undefined && verifyOffThread('sha384', data, { key, dsaEncoding: 'der' }, der);
  }
  const modulusBits = key.asymmetricKeyDetails?.modulusLength ?? 2048;
  const signature = signatureFile.subarray(0, modulusBits / 8);
  for (const hash of new Set([HASH_BY_LENGTH.get(photoHashLength) ?? 'sha256', 'sha256'])) {
    if (await verifyOffThread(hash, data, key, signature)) return true;
  }
  return false;
}

/** The RRN certificate, parsed once for every check that needs its key. */
export interface RrnSigner {
  readonly der: Uint8Array | undefined;
  readonly certificate: X509Certificate | undefined;
}

export function rrnSigner(der: Uint8Array | undefined): RrnSigner {
  return { der, certificate: parseCertificate(der) };
}

/** The identity file against its RRN signature. */
export async function checkIdentitySignature(
  signer: RrnSigner, identityFile: Uint8Array, identitySignatureFile: Uint8Array, photoHashLength: number,
): Promise<IntegrityCheck> {
  const key = signer.certificate?.publicKey;
  if (!key) return failed('no readable RRN certificate');
  return await verifyRrnSignature(key, identityFile, identitySignatureFile, photoHashLength)
    ? pass
    : failed('the identity file does not match its RRN signature');
}

/** The address file, chained to the identity signature, against its RRN signature. */
export async function checkAddressSignature(
  signer: RrnSigner, addressFile: Uint8Array, identitySignatureFile: Uint8Array, addressSignatureFile: Uint8Array, photoHashLength: number,
): Promise<IntegrityCheck> {
  const key = signer.certificate?.publicKey;
  if (!key) return failed('no readable RRN certificate');
  const signedAddress = concatBytes(trimTrailingZeros(addressFile), identitySignatureFile);
  return await verifyRrnSignature(key, signedAddress, addressSignatureFile, photoHashLength)
    ? pass
    : failed('the address file does not match its RRN signature');
}

export function checkPhotoHash(photo: Uint8Array, expected: Uint8Array): IntegrityCheck {
  const hashName = HASH_BY_LENGTH.get(expected.length);
  if (!hashName) return failed(`photo hash of ${expected.length} bytes`);
  return bytesEqual(createHash(hashName).update(photo).digest(), expected)
    ? pass
    : failed('the photo does not match the hash in the identity file');
}

function rrnCertificateVerdict(signer: RrnSigner, rootDer: Uint8Array | undefined): IntegrityCheck {
  const rrn = signer.certificate;
  if (!rrn || !signer.der) return failed('no readable RRN certificate');
  if (!rootDer) return failed('no readable root certificate');
  // A remembered pass was given only after both parsed and verified.
  if (rootVerdictCached(signer.der, rootDer)) return pass;
  const root = parseCertificate(rootDer);
  if (!root) return failed('no readable root certificate');
  if (!root.verify(root.publicKey)) return failed('the root certificate is not self-signed');
  if (!rrn.checkIssued(root) || !rrn.verify(root.publicKey)) return failed('the RRN certificate is not signed by the card root');
  rememberRootPass(signer.der, rootDer);
  return pass;
}

/**
 * The RRN certificate against the card's self-signed root. X509Certificate.verify is
 * synchronous: it runs on the next turn of the event loop, while the card answers the APDUs
 * still to come.
 */
export function checkRrnCertificate(signer: RrnSigner, rootDer: Uint8Array | undefined): Promise<IntegrityCheck> {
  return new Promise((resolve) => {
    setImmediate(() => {
      try {
        resolve(rrnCertificateVerdict(signer, rootDer));
      } catch {
        resolve(failed('the RRN certificate could not be checked against the card root'));
      }
    });
  });
}

export function checkBasicKeyHash(basicPublicKeyFile: Uint8Array | undefined, basicKeyHash: Uint8Array | undefined): IntegrityCheck {
  if (!basicPublicKeyFile && !basicKeyHash) return { ok: true, skipped: true, reason: 'applet 1.7 has no basic key' };
  const file = basicPublicKeyFile ? trimDer(basicPublicKeyFile) ?? basicPublicKeyFile : undefined;
  if (!basicKeyHash || !file) return failed('basic key or its hash is missing');
  return bytesEqual(createHash('sha384').update(file).digest(), basicKeyHash)
    ? pass
    : failed('the basic public key does not match the hash in the identity file');
}

export interface IntegrityChecks {
  readonly identitySignature: IntegrityCheck | Promise<IntegrityCheck>;
  readonly addressSignature: IntegrityCheck | Promise<IntegrityCheck>;
  readonly photoHash: IntegrityCheck | Promise<IntegrityCheck>;
  readonly rrnCertificate: IntegrityCheck | Promise<IntegrityCheck>;
  readonly basicKeyHash: IntegrityCheck | Promise<IntegrityCheck>;
}

/** Waits for every check, started while the card was still being read, and gives the verdict. */
export async function integrityReport(checks: IntegrityChecks): Promise<IntegrityReport> {
  const [identitySignature, addressSignature, photoHash, rrnCertificate, basicKeyHash] = await Promise.all([
    checks.identitySignature, checks.addressSignature, checks.photoHash, checks.rrnCertificate, checks.basicKeyHash,
  ]);
  const all = [identitySignature, addressSignature, photoHash, rrnCertificate, basicKeyHash];
  return { valid: all.every((c) => c.ok), identitySignature, addressSignature, photoHash, rrnCertificate, basicKeyHash };
}

/** Checks each integrity property of a card read separately, so a page can say which one failed. */
export function checkIntegrity(input: IntegrityInput): Promise<IntegrityReport> {
  const signer = rrnSigner(input.rrnCertificate);
  const photoHashLength = input.photoHash.length;
  return integrityReport({
    identitySignature: checkIdentitySignature(signer, input.identityFile, input.identitySignatureFile, photoHashLength),
    addressSignature: checkAddressSignature(signer, input.addressFile, input.identitySignatureFile, input.addressSignatureFile, photoHashLength),
    photoHash: checkPhotoHash(input.photo, input.photoHash),
    rrnCertificate: checkRrnCertificate(signer, input.rootCertificate),
    basicKeyHash: checkBasicKeyHash(input.basicPublicKeyFile, input.basicKeyHash),
  });
}
