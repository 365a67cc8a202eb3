import { randomUUID } from 'node:crypto';
import {
  type CryptoKey, type GeneralJWS, GeneralSign, type JSONWebKeySet, type JWK, type JWTPayload, SignJWT, calculateJwkThumbprint,
  createLocalJWKSet, exportJWK, generateKeyPair, importJWK, jwtVerify,
} from 'jose';
import type { Store } from '../store/store.js';
import type { StoredSigningKey } from '../store/signing-keys.js';

export type SigningAlg = 'ES256' | 'RS256';

export interface TokenSignerOptions {
  alg: SigningAlg;
  issuer: string;
  audience: string;
  /** How long a replica trusts its cached view of the keys (rotation done by another one). */
  cacheMs?: number;
}

interface PrivateKey {
  kid: string;
  alg: string;
  key: CryptoKey | Uint8Array;
}

interface LoadedKeys {
  at: number;
  active: PrivateKey;
  previous: PrivateKey | null;
  jwks: JSONWebKeySet;
}

function publicJwk(k: StoredSigningKey): JWK {
  return { ...k.publicJwk, kid: k.kid, alg: k.alg, use: 'sig' };
}

export async function newSigningKey(alg: SigningAlg): Promise<Omit<StoredSigningKey, 'retired'>> {
  const pair = await generateKeyPair(alg, { extractable: true, ...(alg === 'RS256' ? { modulusLength: 2048 } : {}) });
  const privateJwk = await exportJWK(pair.privateKey);
  const pub = await exportJWK(pair.publicKey);
  const kid = (await calculateJwkThumbprint(pub)).slice(0, 16);
  return { kid, alg, privateJwk, publicJwk: pub };
}

/** Issues application JWTs with the active key and publishes the verification keys. */
export class TokenSigner {
  private loaded: LoadedKeys | null = null;
  private loading: Promise<LoadedKeys> | null = null;

  constructor(private readonly store: Store, private readonly options: TokenSignerOptions) {}

  async ensureKey(): Promise<void> {
    await this.store.signingKeys.install(() => newSigningKey(this.options.alg), true);
  }

  async rotate(): Promise<string> {
    await this.store.signingKeys.install(() => newSigningKey(this.options.alg), false);
    this.loaded = null;
    return (await this.keys()).active.kid;
  }

  private async load(): Promise<LoadedKeys> {
    const { active, previous } = await this.store.signingKeys.current();
    if (active === null) throw new Error('no active signing key');
    const load = async (k: StoredSigningKey): Promise<PrivateKey> => ({ kid: k.kid, alg: k.alg, key: await importJWK(k.privateJwk, k.alg) });
    const keys = [active, ...(previous === null ? [] : [previous])].map(publicJwk);
    return { at: Date.now(), active: await load(active), previous: previous === null ? null : await load(previous), jwks: { keys } };
  }

  private async keys(): Promise<LoadedKeys> {
    const cacheMs = this.options.cacheMs ?? 2000;
    if (this.loaded !== null && Date.now() - this.loaded.at < cacheMs) return this.loaded;
    // One reload at a time; concurrent requests share it.
    this.loading ??= this.load().finally(() => { this.loading = null; });
    this.loaded = await this.loading;
    return this.loaded;
  }

  async jwks(): Promise<JSONWebKeySet> {
    return (await this.keys()).jwks;
  }

  async issue(app: { id: string; tokenLifetime: number; origins: string[] }): Promise<string> {
    const { active } = await this.keys();
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({ origins: app.origins })
      .setProtectedHeader({ alg: active.alg, kid: active.kid, typ: 'JWT' })
      .setIssuer(this.options.issuer)
      .setSubject(app.id)
      .setAudience(this.options.audience)
      .setIssuedAt(now)
      .setNotBefore(now)
      .setExpirationTime(now + app.tokenLifetime)
      .setJti(randomUUID())
      .sign(active.key);
  }

  /**
   * Signs a JSON document (sync answers) as a general JWS with the active key and, during a
   * rotation, also the previous one: a device that only knows the previous key can still
   * verify the answer and learn the new key from it.
   */
  async signDocument(document: unknown, typ: string): Promise<GeneralJWS> {
    const { active, previous } = await this.keys();
    const jws = new GeneralSign(new TextEncoder().encode(JSON.stringify(document)));
    for (const k of previous === null ? [active] : [active, previous]) {
      jws.addSignature(k.key).setProtectedHeader({ alg: k.alg, kid: k.kid, typ });
    }
    return jws.sign();
  }

  /** Verifies a token this DS issued (for endpoints that accept an application JWT). */
  async verify(token: string): Promise<JWTPayload> {
    const jwks = createLocalJWKSet(await this.jwks());
    const { payload } = await jwtVerify(token, jwks, { issuer: this.options.issuer, audience: this.options.audience, algorithms: ['ES256', 'RS256'] });
    return payload;
  }
}
