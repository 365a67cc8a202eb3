import { readFileSync } from 'node:fs';
import { createRemoteJWKSet, importSPKI, importX509, jwtVerify, type JWTPayload, type JWTVerifyGetKey, type CryptoKey } from 'jose';
import { originMatches } from '@t1c/ds/client';
import { T1CError } from '../api/errors.js';

export interface JwtOptions {
  readonly jwksUrl?: string;
  readonly publicKeyFile?: string;
  readonly issuer?: string;
  readonly audience?: string;
  /** Keys from the last DS sync, tried first so the connector verifies offline. */
  readonly synced?: () => JWTVerifyGetKey | undefined;
}

/** Asymmetric algorithms only: `none` and HMAC (a public key used as a shared secret) are refused. */
const ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'];

type KeySource = JWTVerifyGetKey | CryptoKey;

async function keyFromFile(file: string): Promise<CryptoKey> {
  const pem = readFileSync(file, 'utf8');
  // The algorithm only decides how WebCrypto imports the key; RS256 covers RSA, ES* is tried next.
  for (const candidate of ['RS256', 'ES256', 'ES384', 'ES512', 'EdDSA']) {
    try {
      return pem.includes('BEGIN CERTIFICATE') ? await importX509(pem, candidate) : await importSPKI(pem, candidate);
    } catch {
      // try the next key type
    }
  }
  throw new Error(`${file} holds no usable public key (SPKI PEM or certificate)`);
}

/**
 * Verifies the `Authorization: Bearer` JWT of every request. The JWKS is cached by jose,
 * refetched when a token names an unknown `kid`, and never more than once per cooldown.
 */
export class JwtVerifier {
  private constructor(private readonly key: KeySource | undefined, private readonly options: JwtOptions) {}

  static async create(options: JwtOptions): Promise<JwtVerifier> {
    if (options.jwksUrl) {
      const jwks = createRemoteJWKSet(new URL(options.jwksUrl), { cooldownDuration: 5_000, cacheMaxAge: 10 * 60_000, timeoutDuration: 5000 });
      return new JwtVerifier(jwks, options);
    }
    if (options.publicKeyFile) return new JwtVerifier(await keyFromFile(options.publicKeyFile), options);
    if (options.synced) return new JwtVerifier(undefined, options);
    throw new Error('JWT checking needs --jwks-url or --jwt-public-key (or start with --no-jwt)');
  }

  /** Resolves with the claims, or throws JWT_INVALID without saying why (the reason is logged). */
  async verify(authorization: string | undefined, origin: string | undefined): Promise<JWTPayload> {
    const match = /^Bearer ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*)$/.exec(authorization ?? '');
    if (!match?.[1]) throw new T1CError('JWT_INVALID');
    let payload: JWTPayload;
    try {
      const verifyOptions = {
        algorithms: ALGORITHMS,
        clockTolerance: 30,
        ...(this.options.issuer ? { issuer: this.options.issuer } : {}),
        ...(this.options.audience ? { audience: this.options.audience } : {}),
      };
      payload = await this.verifyWithAny(match[1], verifyOptions);
    } catch {
      throw new T1CError('JWT_INVALID');
    }
    const origins = payload.origins;
    if (origins !== undefined) {
      const list = Array.isArray(origins) ? origins.filter((o): o is string => typeof o === 'string') : [];
      if (origin !== undefined && !list.some((pattern) => originMatches(pattern, origin))) throw new T1CError('JWT_INVALID');
    }
    return payload;
  }

  /** The synced DS keys first, then the configured source (remote JWKS or key file). */
  private async verifyWithAny(token: string, verifyOptions: Parameters<typeof jwtVerify>[2]): Promise<JWTPayload> {
    const sources = [this.options.synced?.(), this.key].filter((k): k is KeySource => k !== undefined);
    let last: unknown = new Error('no JWT key source');
    for (const key of sources) {
      try {
        return typeof key === 'function' ? (await jwtVerify(token, key, verifyOptions)).payload : (await jwtVerify(token, key, verifyOptions)).payload;
      } catch (error) {
        last = error;
      }
    }
    throw last;
  }
}
