import { constants, createHash, createPublicKey, publicDecrypt } from 'node:crypto';
import { toHex } from '../codec/hex.js';

/** A payment system's CA public key, as a terminal's CA key table holds it (Book 2 §5.1). */
export interface EmvCertificationAuthorityKey {
  /** Registered application provider identifier: 5 bytes, upper-case hex. */
  readonly rid: string;
  readonly index: number;
  readonly modulus: Uint8Array;
  readonly exponent: Uint8Array;
  /** Last day of use (YYYY-MM-DD); a key without one never expires (a test CA). */
  readonly expiry?: string;
}

/** A public key certificate as the card stores it (tags 90/92/9F32 or 9F46/9F48/9F47). */
export interface EmvPublicKeyCertificate {
  readonly certificate: Uint8Array;
  readonly exponent: Uint8Array;
  readonly remainder: Uint8Array;
}

/** The fields Book 2 Tables 6 and 14 put in a recovered certificate, and whether its hash holds. */
export interface RecoveredPublicKey {
  /** 02 (issuer) or 04 (ICC). */
  readonly format: number;
  /** Issuer: leftmost PAN digits (F-padded, hex); ICC: the full PAN (F-padded, hex). */
  readonly owner: string;
  /** MMYY. */
  readonly expiry: string;
  readonly serialNumber: string;
  readonly hashAlgorithm: number;
  readonly publicKeyAlgorithm: number;
  readonly modulus: Uint8Array;
  readonly exponent: Uint8Array;
  readonly hashValid: boolean;
}

export type Recovery =
  | { readonly status: 'recovered'; readonly key: RecoveredPublicKey }
  | { readonly status: 'invalid'; readonly reason: string }
  | { readonly status: 'no-key'; readonly reason: string }
  | { readonly status: 'expired'; readonly reason: string };

const HEADER = 0x6a;
const TRAILER = 0xbc;

function rsaPublic(block: Uint8Array, modulus: Uint8Array, exponent: Uint8Array): Uint8Array {
  const key = createPublicKey({ key: { kty: 'RSA', n: Buffer.from(modulus).toString('base64url'), e: Buffer.from(exponent).toString('base64url') }, format: 'jwk' });
  return Uint8Array.from(publicDecrypt({ key, padding: constants.RSA_NO_PADDING }, block));
}

/**
 * Book 2 §5.3 (issuer, format 02) and §6.4 (ICC, format 04): recover with the signer's key,
 * check the framing, rebuild the certified modulus from the leftmost digits and the remainder,
 * and recompute the SHA-1 over the fields, remainder, exponent and (ICC) the static data.
 */
export function recoverCertificate(
  cert: EmvPublicKeyCertificate, signer: { readonly modulus: Uint8Array; readonly exponent: Uint8Array },
  format: 0x02 | 0x04, staticData: Uint8Array = new Uint8Array(0),
): Recovery {
  const n = signer.modulus.length;
  if (cert.certificate.length !== n) return { status: 'invalid', reason: `certificate of ${cert.certificate.length} bytes for a ${n}-byte key` };
  let block: Uint8Array;
  try {
    block = rsaPublic(cert.certificate, signer.modulus, signer.exponent);
  } catch {
    return { status: 'invalid', reason: 'the certificate does not recover with the signer key' };
  }
  const ownerLength = format === 0x02 ? 4 : 10;
  const fieldsEnd = 1 + 1 + ownerLength + 2 + 3 + 4;
  if (block[0] !== HEADER || block[n - 1] !== TRAILER || block[1] !== format) {
    return { status: 'invalid', reason: 'the recovered data lacks the 6A header, BC trailer or the format byte' };
  }
  const at = (i: number): number => block[i] ?? 0;
  const keyLength = at(fieldsEnd - 2);
  const exponentLength = at(fieldsEnd - 1);
  const room = n - fieldsEnd - 21;
  const leftmost = block.subarray(fieldsEnd, fieldsEnd + room);
  const hash = block.subarray(fieldsEnd + room, fieldsEnd + room + 20);
  const modulus = new Uint8Array(keyLength);
  modulus.set(leftmost.subarray(0, Math.min(room, keyLength)));
  if (keyLength > room) {
    if (cert.remainder.length !== keyLength - room) return { status: 'invalid', reason: 'the remainder does not complete the key' };
    modulus.set(cert.remainder, room);
  }
  if (cert.exponent.length !== exponentLength) return { status: 'invalid', reason: 'the exponent length differs from the certificate' };
  const expected = createHash('sha1').update(block.subarray(1, fieldsEnd + room)).update(cert.remainder).update(cert.exponent).update(staticData).digest();
  const ownerStart = 2;
  return {
    status: 'recovered',
    key: {
      format,
      owner: toHex(block.subarray(ownerStart, ownerStart + ownerLength)),
      expiry: toHex(block.subarray(ownerStart + ownerLength, ownerStart + ownerLength + 2)),
      serialNumber: toHex(block.subarray(ownerStart + ownerLength + 2, ownerStart + ownerLength + 5)),
      hashAlgorithm: at(ownerStart + ownerLength + 5),
      publicKeyAlgorithm: at(ownerStart + ownerLength + 6),
      modulus,
      exponent: Uint8Array.from(cert.exponent),
      hashValid: Buffer.from(expected).equals(Buffer.from(hash)),
    },
  };
}
