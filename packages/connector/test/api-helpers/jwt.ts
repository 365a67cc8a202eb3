import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SignJWT } from 'jose';

export interface TokenOptions {
  expiresIn?: string | number;
  notBefore?: string | number;
  issuer?: string;
  audience?: string;
  key?: KeyObject;
  kid?: string;
  /** The protected header's typ; null leaves it out. Default `JWT`, as the DS sets. */
  typ?: string | null;
  /** `iat` in seconds; null leaves it out. Default now. */
  issuedAt?: number | null;
  /** Leave `exp` out. */
  noExpiry?: boolean;
  /** `sub`; default `development`. */
  subject?: string;
}

export interface TestIssuer {
  readonly publicKeyFile: string;
  readonly privateKey: KeyObject;
  token(claims?: Record<string, unknown>, options?: TokenOptions): Promise<string>;
}

export const ISSUER = 't1cds-app';
export const AUDIENCE = 't1c-connector';

/** An RS256 key pair standing in for the DS; the public half goes to --jwt-public-key. */
export function testIssuer(dir: string): TestIssuer {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const publicKeyFile = join(dir, 'jwt-public.pem');
  writeFileSync(publicKeyFile, publicKey.export({ type: 'spki', format: 'pem' }));
  return {
    publicKeyFile,
    privateKey,
    token: async (claims = {}, o = {}) => {
      const typ = o.typ === undefined ? 'JWT' : o.typ;
      let jwt = new SignJWT({ ...claims })
        .setProtectedHeader({ alg: 'RS256', kid: o.kid ?? 't1cds', ...(typ === null ? {} : { typ }) })
        .setSubject(o.subject ?? 'development')
        .setIssuer(o.issuer ?? ISSUER)
        .setAudience(o.audience ?? AUDIENCE);
      if (o.issuedAt !== null) jwt = jwt.setIssuedAt(o.issuedAt);
      if (o.noExpiry !== true) jwt = jwt.setExpirationTime(o.expiresIn ?? '20m');
      if (o.notBefore !== undefined) jwt = jwt.setNotBefore(o.notBefore);
      return jwt.sign(o.key ?? privateKey);
    },
  };
}
