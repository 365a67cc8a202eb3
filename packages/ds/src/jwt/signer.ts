import { randomUUID } from 'node:crypto';
import { type JWTPayload, SignJWT, createLocalJWKSet, jwtVerify } from 'jose';
import { APPLICATION_TOKEN_TYPE, type JsonWebKeySet } from '../client/protocol.js';
import type { SigningKeyRing } from './key-ring.js';

export { newSigningKey, type SigningAlg } from './key-ring.js';

export interface TokenSignerOptions {
  issuer: string;
  audience: string;
}

/**
 * Issues application JWTs and publishes their verification keys (/.well-known/jwks.json and
 * the sync answer's `jwks`). Its keys sign nothing else: sync answers have their own.
 */
export class TokenSigner {
  constructor(private readonly ring: SigningKeyRing, readonly options: TokenSignerOptions) {}

  ensureKey(): Promise<void> {
    return this.ring.ensureKey();
  }

  rotate(): Promise<string> {
    return this.ring.rotate();
  }

  jwks(): Promise<JsonWebKeySet> {
    return this.ring.jwks();
  }

  async issue(app: { id: string; tokenLifetime: number; origins: string[] }): Promise<string> {
    const { active } = await this.ring.keys();
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({ origins: app.origins })
      .setProtectedHeader({ alg: active.alg, kid: active.kid, typ: APPLICATION_TOKEN_TYPE })
      .setIssuer(this.options.issuer)
      .setSubject(app.id)
      .setAudience(this.options.audience)
      .setIssuedAt(now)
      .setNotBefore(now)
      .setExpirationTime(now + app.tokenLifetime)
      .setJti(randomUUID())
      .sign(active.key);
  }

  /** Verifies a token this DS issued (for endpoints that accept an application JWT). */
  async verify(token: string): Promise<JWTPayload> {
    const jwks = createLocalJWKSet(await this.jwks());
    const { payload } = await jwtVerify(token, jwks, {
      issuer: this.options.issuer, audience: this.options.audience, algorithms: ['ES256', 'RS256'],
      typ: APPLICATION_TOKEN_TYPE, requiredClaims: ['exp', 'iat'],
    });
    return payload;
  }
}
