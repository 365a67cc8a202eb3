import { constants, privateEncrypt } from 'node:crypto';
import { p384 } from '@noble/curves/nist.js';
import { concatBytes, fromHex } from '@t1c/smartcard/codec';
import { DIGEST_INFO_PREFIX, type AppletVersion } from './card-spec.js';
import type { KeyPairForms } from '../pki/key-pairs.js';

/**
 * What PSO:CDS accepts per MSE algorithm byte (RM17 Table 11, RM18 Table 14). The same byte
 * means RSA on 1.7 and ECDSA on 1.8. RSA algorithms that name a hash get the DigestInfo
 * prefix added by the card; `01` on 1.7 takes a whole DigestInfo.
 */
interface AlgorithmRule {
  /** Accepted DTBS lengths; for the DigestInfo form, any length from 1 to maxLength. */
  readonly lengths?: readonly number[];
  readonly maxLength?: number;
  readonly digestInfoPrefix?: string;
}

const MD5_PREFIX = '3020300C06082A864886F70D020505000410';

const rsaAlgorithms: ReadonlyMap<number, AlgorithmRule> = new Map([
  [0x01, { maxLength: 245 }],
  [0x02, { lengths: [20], digestInfoPrefix: DIGEST_INFO_PREFIX['SHA-1'] }],
  [0x04, { lengths: [16], digestInfoPrefix: MD5_PREFIX }],
  [0x08, { lengths: [32], digestInfoPrefix: DIGEST_INFO_PREFIX['SHA-256'] }],
]);

const ecAlgorithms: ReadonlyMap<number, AlgorithmRule> = new Map([
  [0x01, { lengths: [32] }],
  [0x02, { lengths: [48] }],
  [0x04, { lengths: [64] }],
  [0x40, { lengths: [20, 28, 32, 48, 64] }],
]);

/** INTERNAL AUTHENTICATE P1 → challenge length (RM18 §6.11). */
export const internalAuthenticateLengths: ReadonlyMap<number, number> = new Map([[0x01, 32], [0x02, 48], [0x04, 64]]);

export function algorithmSupported(applet: AppletVersion, algorithm: number): boolean {
  return (applet === '1.7' ? rsaAlgorithms : ecAlgorithms).has(algorithm);
}

export function dtbsLengthValid(applet: AppletVersion, algorithm: number, length: number): boolean {
  const rule = (applet === '1.7' ? rsaAlgorithms : ecAlgorithms).get(algorithm);
  if (!rule) return false;
  if (rule.lengths) return rule.lengths.includes(length);
  return length >= 1 && length <= (rule.maxLength ?? 0);
}

/** RSA: PKCS#1 v1.5 type-1 padding over the DigestInfo; EC: raw r‖s over the given digest. */
export function cardSign(applet: AppletVersion, algorithm: number, key: KeyPairForms, dtbs: Uint8Array): Uint8Array {
  if (key.algorithm === 'ec') {
    if (!key.ecSecret) throw new TypeError('EC card key without its private scalar');
    return p384.sign(dtbs, key.ecSecret, { prehash: false, lowS: false });
  }
  const prefix = rsaAlgorithms.get(algorithm)?.digestInfoPrefix;
  const digestInfo = prefix ? concatBytes(fromHex(prefix), dtbs) : dtbs;
  return Uint8Array.from(privateEncrypt({ key: key.privateKey, padding: constants.RSA_PKCS1_PADDING }, digestInfo));
}
