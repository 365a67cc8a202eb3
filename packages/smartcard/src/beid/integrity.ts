import { createHash, verify, X509Certificate, type KeyObject } from 'node:crypto';
import { trimDer } from '../codec/der.js';
import { bytesEqual, concatBytes } from '../codec/hex.js';
import { trimTrailingZeros } from './identity.js';

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

/**
 * RRN signatures: ECDSA-SHA384 in DER inside zero padding for EC keys; PKCS#1 v1.5 for RSA
 * with the hash the photo-hash length implies, then SHA-256 (re-signed cards), beid-card.md §6.2.
 */
function verifyRrnSignature(key: KeyObject, data: Uint8Array, signatureFile: Uint8Array, photoHashLength: number): boolean {
  if (key.asymmetricKeyType === 'ec') {
    const der = trimDer(signatureFile);
    return der !== undefined && verify('sha384', data, { key, dsaEncoding: 'der' }, der);
  }
  const modulusBits = key.asymmetricKeyDetails?.modulusLength ?? 2048;
  const signature = signatureFile.subarray(0, modulusBits / 8);
  const hashes = [...new Set([HASH_BY_LENGTH.get(photoHashLength) ?? 'sha256', 'sha256'])];
  return hashes.some((hash) => verify(hash, data, key, signature));
}

function certificate(der: Uint8Array | undefined): X509Certificate | undefined {
  if (!der) return undefined;
  try {
    return new X509Certificate(der);
  } catch {
    return undefined;
  }
}

/** Checks each integrity property of a card read separately, so a page can say which one failed. */
export function checkIntegrity(input: IntegrityInput): IntegrityReport {
  const rrn = certificate(input.rrnCertificate);
  const root = certificate(input.rootCertificate);
  const rrnKey = rrn?.publicKey;
  const photoHashLength = input.photoHash.length;

  const identitySignature = !rrnKey
    ? failed('no readable RRN certificate')
    : verifyRrnSignature(rrnKey, input.identityFile, input.identitySignatureFile, photoHashLength)
      ? pass
      : failed('the identity file does not match its RRN signature');

  const signedAddress = concatBytes(trimTrailingZeros(input.addressFile), input.identitySignatureFile);
  const addressSignature = !rrnKey
    ? failed('no readable RRN certificate')
    : verifyRrnSignature(rrnKey, signedAddress, input.addressSignatureFile, photoHashLength)
      ? pass
      : failed('the address file does not match its RRN signature');

  const hashName = HASH_BY_LENGTH.get(photoHashLength);
  const photoHash = !hashName
    ? failed(`photo hash of ${photoHashLength} bytes`)
    : bytesEqual(createHash(hashName).update(input.photo).digest(), input.photoHash)
      ? pass
      : failed('the photo does not match the hash in the identity file');

  let rrnCertificate: IntegrityCheck;
  if (!rrn) rrnCertificate = failed('no readable RRN certificate');
  else if (!root) rrnCertificate = failed('no readable root certificate');
  else if (!root.verify(root.publicKey)) rrnCertificate = failed('the root certificate is not self-signed');
  else if (!rrn.checkIssued(root) || !rrn.verify(root.publicKey)) rrnCertificate = failed('the RRN certificate is not signed by the card root');
  else rrnCertificate = pass;

  let basicKeyHash: IntegrityCheck = { ok: true, skipped: true, reason: 'applet 1.7 has no basic key' };
  if (input.basicPublicKeyFile || input.basicKeyHash) {
    const expected = input.basicKeyHash;
    const file = input.basicPublicKeyFile ? trimDer(input.basicPublicKeyFile) ?? input.basicPublicKeyFile : undefined;
    basicKeyHash = !expected || !file
      ? failed('basic key or its hash is missing')
      : bytesEqual(createHash('sha384').update(file).digest(), expected)
        ? pass
        : failed('the basic public key does not match the hash in the identity file');
  }

  const checks = [identitySignature, addressSignature, photoHash, rrnCertificate, basicKeyHash];
  return { valid: checks.every((c) => c.ok), identitySignature, addressSignature, photoHash, rrnCertificate, basicKeyHash };
}
