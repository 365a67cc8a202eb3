import { createPrivateKey, createPublicKey, webcrypto, type KeyObject } from 'node:crypto';

export type KeyAlgorithm = 'rsa' | 'ec';

/**
 * One key in three forms: Web Crypto keys for @peculiar/x509, Node KeyObjects for signing
 * with node:crypto, and for EC the raw private scalar, because only @noble/curves signs a
 * digest the card receives ready-made.
 */
export interface KeyPairForms {
  readonly algorithm: KeyAlgorithm;
  readonly webKeys: webcrypto.CryptoKeyPair;
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  /** EC private scalar (48 bytes for P-384). */
  readonly ecSecret?: Uint8Array;
}

const RSA_PARAMS: webcrypto.RsaHashedKeyGenParams = { name: 'RSASSA-PKCS1-v1_5', modulusLength: 2048, publicExponent: Uint8Array.of(1, 0, 1), hash: 'SHA-256' };
const EC_PARAMS: webcrypto.EcKeyGenParams = { name: 'ECDSA', namedCurve: 'P-384' };

export async function generateKeyPair(algorithm: KeyAlgorithm): Promise<KeyPairForms> {
  const webKeys = (await webcrypto.subtle.generateKey(algorithm === 'rsa' ? RSA_PARAMS : EC_PARAMS, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', webKeys.privateKey));
  const privateKey = createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' });
  const publicKey = createPublicKey(privateKey);
  if (algorithm === 'rsa') return { algorithm, webKeys, privateKey, publicKey };
  const jwk = privateKey.export({ format: 'jwk' });
  if (typeof jwk.d !== 'string') throw new TypeError('EC private key export lacks d');
  return { algorithm, webKeys, privateKey, publicKey, ecSecret: Uint8Array.from(Buffer.from(jwk.d, 'base64url')) };
}

/** The keys one card's PKI needs. */
export interface PkiKeys {
  readonly root: KeyPairForms;
  readonly citizenCa: KeyPairForms;
  readonly rrn: KeyPairForms;
  readonly authentication: KeyPairForms;
  readonly nonRepudiation: KeyPairForms;
  /** Applet 1.8's card key (ref 81), always EC. */
  readonly basic: KeyPairForms | undefined;
}

async function generatePkiKeys(algorithm: KeyAlgorithm): Promise<PkiKeys> {
  const [root, citizenCa, rrn, authentication, nonRepudiation, basic] = await Promise.all([
    generateKeyPair(algorithm), generateKeyPair(algorithm), generateKeyPair(algorithm),
    generateKeyPair(algorithm), generateKeyPair(algorithm),
    algorithm === 'ec' ? generateKeyPair('ec') : Promise.resolve(undefined),
  ]);
  if (!root || !citizenCa || !rrn || !authentication || !nonRepudiation) throw new TypeError('key generation failed');
  return { root, citizenCa, rrn, authentication, nonRepudiation, basic };
}

/** RSA-2048 generation costs seconds per card set; cards in one process share keys unless asked not to. */
const cache = new Map<KeyAlgorithm, Promise<PkiKeys>>();

export function pkiKeys(algorithm: KeyAlgorithm, fresh = false): Promise<PkiKeys> {
  if (fresh) return generatePkiKeys(algorithm);
  let keys = cache.get(algorithm);
  if (!keys) {
    keys = generatePkiKeys(algorithm);
    cache.set(algorithm, keys);
    keys.catch(() => cache.delete(algorithm));
  }
  return keys;
}
