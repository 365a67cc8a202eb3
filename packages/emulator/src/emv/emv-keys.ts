import { constants, generateKeyPair, privateEncrypt, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';

/** An RSA key as EMV certificates carry it: modulus and exponent as unsigned big-endian bytes. */
export interface EmvRsaKey {
  readonly modulus: Uint8Array;
  readonly exponent: Uint8Array;
  readonly privateKey: KeyObject;
}

const generate = promisify(generateKeyPair);

/** EMV exponents are 3 or 2^16+1 (Book 2 §5.1); 3 is what most issuers personalise. */
async function rsaKey(bits: number): Promise<EmvRsaKey> {
  const { privateKey, publicKey } = await generate('rsa', { modulusLength: bits, publicExponent: 3 });
  const jwk = publicKey.export({ format: 'jwk' });
  if (typeof jwk.n !== 'string' || typeof jwk.e !== 'string') throw new TypeError('RSA public key export lacks n or e');
  return { modulus: Uint8Array.from(Buffer.from(jwk.n, 'base64url')), exponent: Uint8Array.from(Buffer.from(jwk.e, 'base64url')), privateKey };
}

/** Book 2 §5.1: the signer's raw RSA private operation over a block as long as its modulus. */
export function rsaSignRecoverable(key: EmvRsaKey, block: Uint8Array): Uint8Array {
  if (block.length !== key.modulus.length) throw new RangeError(`block of ${block.length} bytes for a ${key.modulus.length}-byte modulus`);
  return Uint8Array.from(privateEncrypt({ key: key.privateKey, padding: constants.RSA_NO_PADDING }, block));
}

/**
 * The three keys of a card's chain: a test certification authority (1152 bits, so the issuer
 * key needs a remainder), the issuer (1024) and the card (768, a remainder again).
 */
export interface EmvKeyChain {
  readonly ca: EmvRsaKey;
  readonly issuer: EmvRsaKey;
  readonly icc: EmvRsaKey;
}

let shared: Promise<EmvKeyChain> | undefined;

async function generateChain(): Promise<EmvKeyChain> {
  const [ca, issuer, icc] = await Promise.all([rsaKey(1152), rsaKey(1024), rsaKey(768)]);
  return { ca, issuer, icc };
}

/** Cards in one process share a chain unless asked for a fresh one. */
export function emvKeyChain(fresh = false): Promise<EmvKeyChain> {
  if (fresh) return generateChain();
  if (!shared) {
    shared = generateChain();
    shared.catch(() => {
      shared = undefined;
    });
  }
  return shared;
}
