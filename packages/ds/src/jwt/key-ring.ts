import { type CryptoKey, calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK } from 'jose';
import type { JsonWebKeySet } from '../client/protocol.js';
import type { Store } from '../store/store.js';
import type { KeyPurpose, StoredSigningKey } from '../store/signing-keys.js';

export type SigningAlg = 'ES256' | 'RS256';

export interface PrivateKey {
  kid: string;
  alg: string;
  key: CryptoKey | Uint8Array;
}

export interface LoadedKeys {
  at: number;
  active: PrivateKey;
  previous: PrivateKey | null;
  /** Public halves of the active and previous keys. */
  jwks: JsonWebKeySet;
}

function publicJwk(k: StoredSigningKey): JsonWebKeySet['keys'][number] {
  const { kty } = k.publicJwk;
  if (kty === undefined) throw new Error(`signing key ${k.kid} has no key type`);
  return { ...k.publicJwk, kty, kid: k.kid, alg: k.alg, use: 'sig' };
}

export async function newSigningKey(alg: SigningAlg): Promise<Omit<StoredSigningKey, 'retired'>> {
  const pair = await generateKeyPair(alg, { extractable: true, ...(alg === 'RS256' ? { modulusLength: 2048 } : {}) });
  const privateJwk = await exportJWK(pair.privateKey);
  const pub = await exportJWK(pair.publicKey);
  const kid = (await calculateJwkThumbprint(pub)).slice(0, 16);
  return { kid, alg, privateJwk, publicJwk: pub };
}

/**
 * The stored keys of one purpose: the active key signs, the previous one stays published so
 * what it signed keeps verifying through a rotation. Each purpose rotates on its own.
 */
export class SigningKeyRing {
  private loaded: LoadedKeys | null = null;
  private loading: Promise<LoadedKeys> | null = null;

  /** `cacheMs`: how long a replica trusts its cached view (a rotation may come from another one). */
  constructor(private readonly store: Store, readonly purpose: KeyPurpose, private readonly alg: SigningAlg, private readonly cacheMs = 2000) {}

  async ensureKey(): Promise<void> {
    await this.store.signingKeys.install(this.purpose, () => newSigningKey(this.alg), true);
  }

  async rotate(): Promise<string> {
    await this.store.signingKeys.install(this.purpose, () => newSigningKey(this.alg), false);
    this.loaded = null;
    return (await this.keys()).active.kid;
  }

  private async load(): Promise<LoadedKeys> {
    const { active, previous } = await this.store.signingKeys.current(this.purpose);
    if (active === null) throw new Error(`no active ${this.purpose} signing key`);
    const load = async (k: StoredSigningKey): Promise<PrivateKey> => ({ kid: k.kid, alg: k.alg, key: await importJWK(k.privateJwk, k.alg) });
    const keys = [active, ...(previous === null ? [] : [previous])].map(publicJwk);
    return { at: Date.now(), active: await load(active), previous: previous === null ? null : await load(previous), jwks: { keys } };
  }

  async keys(): Promise<LoadedKeys> {
    if (this.loaded !== null && Date.now() - this.loaded.at < this.cacheMs) return this.loaded;
    // One reload at a time; concurrent requests share it.
    this.loading ??= this.load().finally(() => { this.loading = null; });
    this.loaded = await this.loading;
    return this.loaded;
  }

  async jwks(): Promise<JsonWebKeySet> {
    return (await this.keys()).jwks;
  }
}
