import { createHash } from 'node:crypto';
import { concatBytes } from '@t1c/smartcard/codec';
import { rsaSignRecoverable, type EmvRsaKey } from './emv-keys.js';
import { CertificateFraming as F } from './emv-spec.js';

/** A public key certificate as the card stores it: the signed block, the key's tail, its exponent. */
export interface EmvCertificate {
  readonly certificate: Uint8Array;
  readonly remainder: Uint8Array;
  readonly exponent: Uint8Array;
}

function sha1(...parts: Uint8Array[]): Uint8Array {
  const hash = createHash('sha1');
  for (const part of parts) hash.update(part);
  return Uint8Array.from(hash.digest());
}

/**
 * Splits the certified key into what fits in the certificate (padded with BB) and what
 * goes into the remainder data object (Book 2 Tables 6 and 14, field "Leftmost Digits").
 */
function splitKey(modulus: Uint8Array, room: number): { leftmost: Uint8Array; remainder: Uint8Array } {
  if (modulus.length <= room) {
    const leftmost = new Uint8Array(room).fill(F.padding);
    leftmost.set(modulus);
    return { leftmost, remainder: new Uint8Array(0) };
  }
  return { leftmost: modulus.slice(0, room), remainder: modulus.slice(room) };
}

/** Recovered data = 6A ‖ fields ‖ leftmost key ‖ SHA-1 ‖ BC, signed with the signer's key. */
function sign(signer: EmvRsaKey, fields: Uint8Array, leftmost: Uint8Array, hash: Uint8Array): Uint8Array {
  const block = concatBytes(Uint8Array.of(F.header), fields, leftmost, hash, Uint8Array.of(F.trailer));
  return rsaSignRecoverable(signer, block);
}

export interface IssuerCertificateInput {
  /** Leftmost 3–8 PAN digits, F-padded to 4 bytes. */
  readonly issuerIdentifier: Uint8Array;
  /** MMYY, BCD. */
  readonly expiry: Uint8Array;
  readonly serial: Uint8Array;
}

/** Book 2 §5.3 Table 6: the issuer key certified by the payment system's CA. */
export function issuerCertificate(ca: EmvRsaKey, issuer: EmvRsaKey, input: IssuerCertificateInput): EmvCertificate {
  const room = ca.modulus.length - 36;
  const { leftmost, remainder } = splitKey(issuer.modulus, room);
  const fields = concatBytes(
    Uint8Array.of(F.issuerFormat), input.issuerIdentifier, input.expiry, input.serial,
    Uint8Array.of(F.sha1, F.rsa, issuer.modulus.length, issuer.exponent.length),
  );
  const hash = sha1(fields, leftmost, remainder, issuer.exponent);
  return { certificate: sign(ca, fields, leftmost, hash), remainder, exponent: issuer.exponent };
}

export interface IccCertificateInput {
  /** The PAN, F-padded to 10 bytes. */
  readonly pan: Uint8Array;
  readonly expiry: Uint8Array;
  readonly serial: Uint8Array;
  /** Book 3 §10.3: the ODA records' contents followed by the data the SDA tag list names. */
  readonly staticData: Uint8Array;
}

/** Book 2 §6.4 Table 14: the card's key certified by the issuer. */
export function iccCertificate(issuer: EmvRsaKey, icc: EmvRsaKey, input: IccCertificateInput): EmvCertificate {
  const room = issuer.modulus.length - 42;
  const { leftmost, remainder } = splitKey(icc.modulus, room);
  const fields = concatBytes(
    Uint8Array.of(F.iccFormat), input.pan, input.expiry, input.serial,
    Uint8Array.of(F.sha1, F.rsa, icc.modulus.length, icc.exponent.length),
  );
  const hash = sha1(fields, leftmost, remainder, icc.exponent, input.staticData);
  return { certificate: sign(issuer, fields, leftmost, hash), remainder, exponent: icc.exponent };
}
