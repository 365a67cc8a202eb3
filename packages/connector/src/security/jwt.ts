import { readFileSync } from 'node:fs';
import { createRemoteJWKSet, importSPKI, importX509, jwtVerify, type JWTPayload, type JWTVerifyGetKey, type JWTVerifyOptions, type CryptoKey } from 'jose';
import { APPLICATION_TOKEN_TYPE, MAX_TOKEN_LIFETIME_S, originMatches } from '@t1c/ds/client';
import { T1CError } from '../api/errors.js';
import { VerifiedTokens } from './verified-tokens.js';

/** Token keys from the last verified DS sync, with the issuer and audience the DS signed with them. */
export interface SyncedKeys {
  readonly keys: JWTVerifyGetKey;
  readonly issuer: string;
  readonly audience: string;
}

export interface JwtOptions {
  readonly jwksUrl?: string;
  readonly publicKeyFile?: string;
  /** Required of tokens verified with the configured key source (jwksUrl or publicKeyFile). */
  readonly issuer?: string;
  readonly audience?: string;
  /** Keys from the last DS sync, tried first so the connector verifies offline. */
  readonly synced?: () => SyncedKeys | undefined;
}

/** Asymmetric algorithms only: `none` and HMAC (a public key used as a shared secret) are refused. */
const ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'];

type KeySource = JWTVerifyGetKey | CryptoKey;

/**
 * What every token must be, whoever signed it: typ `JWT` (a DS sync answer or any other JWS
 * is not a token), `exp` and `iat`, at most MAX_TOKEN_LIFETIME_S long, not issued in the future.
 */
const COMMON: JWTVerifyOptions = {
  algorithms: ALGORITHMS,
  clockTolerance: 30,
  typ: APPLICATION_TOKEN_TYPE,
  requiredClaims: ['exp', 'iat'],
  maxTokenAge: MAX_TOKEN_LIFETIME_S,
};

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
  private readonly verified = new VerifiedTokens();

  private constructor(private readonly key: KeySource | undefined, private readonly options: JwtOptions) {}

  static async create(options: JwtOptions): Promise<JwtVerifier> {
    if (options.jwksUrl) {
      const jwks = createRemoteJWKSet(new URL(options.jwksUrl), { cooldownDuration: 5_000, cacheMaxAge: 10 * 60_000, timeoutDuration: 5000 });
      return new JwtVerifier(jwks, options);
    }
    if (options.publicKeyFile) return new JwtVerifier(await keyFromFile(options.publicKeyFile), options);
    // Nothing to check tokens with (a fresh install before its DS is set): the connector still
    // runs, so it can be diagnosed and configured, but refuses every request as not configured.
    return new JwtVerifier(undefined, options);
  }

  /** False when no key source is configured: every request is then refused with NOT_CONFIGURED. */
  get configured(): boolean {
    return this.key !== undefined || this.options.synced !== undefined;
  }

  /** Resolves with the claims, or throws JWT_INVALID without saying why (the reason is logged). */
  async verify(authorization: string | undefined, origin: string | undefined): Promise<JWTPayload> {
    if (!this.configured) throw new T1CError('NOT_CONFIGURED');
    const match = /^Bearer ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*)$/.exec(authorization ?? '');
    if (!match?.[1]) throw new T1CError('JWT_INVALID');
    let payload: JWTPayload;
    try {
      payload = await this.verifyWithAny(match[1]);
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

  /**
   * The synced DS keys first (with the DS's issuer and audience), then the configured source.
   * A token verified with the synced keys or a key file is reused while that source is current;
   * one verified with a remote JWKS is verified each time (jose notices its rotations).
   */
  private async verifyWithAny(token: string): Promise<JWTPayload> {
    const synced = this.options.synced?.();
    const fileKey = this.key !== undefined && typeof this.key !== 'function' ? this.key : undefined;
    const reused = this.verified.get(token, [synced, fileKey].filter((k): k is NonNullable<typeof k> => k !== undefined));
    if (reused) return reused;
    const configured: JWTVerifyOptions = {
      ...COMMON,
      ...(this.options.issuer ? { issuer: this.options.issuer } : {}),
      ...(this.options.audience ? { audience: this.options.audience } : {}),
    };
    const sources: { key: KeySource; options: JWTVerifyOptions; kept: object | undefined }[] = [
      ...(synced ? [{ key: synced.keys, options: { ...COMMON, issuer: synced.issuer, audience: synced.audience }, kept: synced }] : []),
      ...(this.key ? [{ key: this.key, options: configured, kept: fileKey }] : []),
    ];
    let last: unknown = new Error('no JWT key source');
    for (const { key, options, kept } of sources) {
      try {
        const { payload } = typeof key === 'function' ? await jwtVerify(token, key, options) : await jwtVerify(token, key, options);
        const { exp, iat } = payload;
        if (exp === undefined || iat === undefined || exp - iat > MAX_TOKEN_LIFETIME_S) throw new Error('token lifetime exceeds the maximum');
        if (kept) this.verified.remember(token, payload, kept);
        return payload;
      } catch (error) {
        last = error;
      }
    }
    throw last;
  }
}
