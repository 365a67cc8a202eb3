import { concatBytes, fromHex } from '../codec/hex.js';
import { DIGEST_INFO_PREFIX } from '../beid/constants.js';
import { SmartCardError } from '../errors.js';
import {
  CKG_MGF1_SHA1, CKG_MGF1_SHA256, CKG_MGF1_SHA384, CKG_MGF1_SHA512, CKM_ECDSA, CKM_RSA_PKCS, CKM_RSA_PKCS_PSS,
  CKM_SHA_1, CKM_SHA256, CKM_SHA384, CKM_SHA512,
} from './constants.js';
import { UlongArray } from './native.js';
import type { DigestName, KeyType } from './types.js';

const DIGEST_LENGTH: Record<DigestName, number> = { 'SHA-1': 20, 'SHA-256': 32, 'SHA-384': 48, 'SHA-512': 64 };
const PSS_HASH: Record<DigestName, readonly [number, number]> = {
  'SHA-1': [CKM_SHA_1, CKG_MGF1_SHA1],
  'SHA-256': [CKM_SHA256, CKG_MGF1_SHA256],
  'SHA-384': [CKM_SHA384, CKG_MGF1_SHA384],
  'SHA-512': [CKM_SHA512, CKG_MGF1_SHA512],
};

export interface SignMechanism {
  readonly mechanism: number;
  readonly name: string;
  /** CK_RSA_PKCS_PSS_PARAMS for PSS; null otherwise. */
  readonly parameter: BigUint64Array | Uint32Array | null;
  readonly data: Uint8Array;
}

/**
 * The mechanism and input for signing a digest the caller computed: the token never hashes, so
 * the same digest gives the same signature input on every token. RSA PKCS#1 v1.5 signs the
 * DigestInfo (CKM_RSA_PKCS); PSS uses MGF1 and a salt as long as the hash; ECDSA signs the
 * digest itself (CKM_ECDSA).
 */
export function signMechanism(keyType: KeyType, digestAlgorithm: DigestName, digest: Uint8Array, rsaScheme: 'pkcs1' | 'pss', ulongWidth: number): SignMechanism {
  if (digest.length !== DIGEST_LENGTH[digestAlgorithm]) {
    throw new SmartCardError('DIGEST_INVALID', `a ${digestAlgorithm} digest is ${DIGEST_LENGTH[digestAlgorithm]} bytes, not ${digest.length}`);
  }
  if (keyType === 'ec') return { mechanism: CKM_ECDSA, name: 'CKM_ECDSA', parameter: null, data: Uint8Array.from(digest) };
  if (rsaScheme === 'pss') {
    const [hashAlg, mgf] = PSS_HASH[digestAlgorithm];
    const parameter = new UlongArray(ulongWidth, 3);
    parameter.set(0, hashAlg);
    parameter.set(1, mgf);
    parameter.set(2, digest.length);
    return { mechanism: CKM_RSA_PKCS_PSS, name: 'CKM_RSA_PKCS_PSS', parameter: parameter.raw, data: Uint8Array.from(digest) };
  }
  return { mechanism: CKM_RSA_PKCS, name: 'CKM_RSA_PKCS', parameter: null, data: concatBytes(fromHex(DIGEST_INFO_PREFIX[digestAlgorithm]), digest) };
}

/** Names of the mechanisms a token info lists most often; the rest are shown as hex. */
const MECHANISM_NAMES: ReadonlyMap<number, string> = new Map([
  [0x0, 'CKM_RSA_PKCS_KEY_PAIR_GEN'], [0x1, 'CKM_RSA_PKCS'], [0x3, 'CKM_RSA_X_509'], [0x5, 'CKM_SHA1_RSA_PKCS'],
  [0x6, 'CKM_SHA1_RSA_PKCS'], [0x9, 'CKM_RSA_PKCS_OAEP'], [0xd, 'CKM_RSA_PKCS_PSS'], [0xe, 'CKM_SHA1_RSA_PKCS_PSS'],
  [0x40, 'CKM_SHA256_RSA_PKCS'], [0x41, 'CKM_SHA384_RSA_PKCS'], [0x42, 'CKM_SHA512_RSA_PKCS'],
  [0x43, 'CKM_SHA256_RSA_PKCS_PSS'], [0x44, 'CKM_SHA384_RSA_PKCS_PSS'], [0x45, 'CKM_SHA512_RSA_PKCS_PSS'],
  [0x220, 'CKM_SHA_1'], [0x250, 'CKM_SHA256'], [0x260, 'CKM_SHA384'], [0x270, 'CKM_SHA512'],
  [0x1040, 'CKM_EC_KEY_PAIR_GEN'], [0x1041, 'CKM_ECDSA'], [0x1042, 'CKM_ECDSA_SHA1'], [0x1044, 'CKM_ECDSA_SHA256'],
  [0x1045, 'CKM_ECDSA_SHA384'], [0x1046, 'CKM_ECDSA_SHA512'], [0x1050, 'CKM_ECDH1_DERIVE'],
]);

export function mechanismName(mechanism: number): string {
  return MECHANISM_NAMES.get(mechanism) ?? `0x${mechanism.toString(16).toUpperCase().padStart(8, '0')}`;
}
