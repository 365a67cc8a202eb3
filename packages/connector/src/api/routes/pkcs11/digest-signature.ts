import { constants, publicDecrypt, timingSafeEqual, type KeyObject } from 'node:crypto';
import { p256, p384, p521 } from '@noble/curves/nist.js';

/** DigestInfo prefixes of RFC 8017 §9.2 note 1, by T1C digest name. */
const DIGEST_INFO: Record<string, string> = {
  'SHA-1': '3021300906052b0e03021a05000414',
  'SHA-256': '3031300d060960864801650304020105000420',
  'SHA-384': '3041300d060960864801650304020205000430',
  'SHA-512': '3051300d060960864801650304020305000440',
};
const CURVES = { 'P-256': p256, 'P-384': p384, 'P-521': p521 } as const;

/**
 * Whether `signature` is the token's signature of a digest the caller computed (`validate`,
 * t1c-api.md §2.5): RSA PKCS#1 v1.5 over the DigestInfo, or ECDSA r‖s over the digest itself.
 * node:crypto verifies only over messages it hashes, so the EC check is @noble/curves'.
 */
export function verifyDigestSignature(key: KeyObject, algorithm: string, digest: Uint8Array, signature: Uint8Array): boolean {
  if (key.asymmetricKeyType === 'rsa') {
    let block: Buffer;
    try {
      block = publicDecrypt({ key, padding: constants.RSA_PKCS1_PADDING }, signature);
    } catch {
      return false;
    }
    const expected = Buffer.concat([Buffer.from(DIGEST_INFO[algorithm] ?? '', 'hex'), digest]);
    return block.length === expected.length && timingSafeEqual(block, expected);
  }
  if (key.asymmetricKeyType === 'ec') {
    const jwk = key.export({ format: 'jwk' });
    const curve = CURVES[jwk.crv as keyof typeof CURVES] as (typeof CURVES)[keyof typeof CURVES] | undefined;
    if (!curve || typeof jwk.x !== 'string' || typeof jwk.y !== 'string') return false;
    const point = Buffer.concat([Buffer.of(4), Buffer.from(jwk.x, 'base64url'), Buffer.from(jwk.y, 'base64url')]);
    try {
      return curve.verify(signature, digest, point, { prehash: false, lowS: false });
    } catch {
      return false;
    }
  }
  return false;
}
