import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { existsSync, linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { JWK } from 'jose';
import { z } from 'zod';

/**
 * Signing keys are stored sealed with AES-256-GCM under a key-encryption key (KEK) that never
 * enters the database: from a file, the environment, or (embedded database only) a file
 * generated next to it. The row's `kid` is the additional data, so a sealed key cannot be
 * moved to another row; `kekId` names the KEK so a wrong one is reported, not guessed at.
 */
export const KEK_ENV = 'T1C_DS_KEY_ENCRYPTION_KEY';
export const KEK_FILE = 'key-encryption-key';

const sealedSchema = z.strictObject({
  v: z.literal(1),
  alg: z.literal('A256GCM'),
  kekId: z.string().regex(/^[0-9a-f]{16}$/),
  iv: z.string().regex(/^[A-Za-z0-9_-]{16}$/),
  ct: z.string().regex(/^[A-Za-z0-9_-]+$/),
  tag: z.string().regex(/^[A-Za-z0-9_-]{22}$/),
});
export type SealedJwk = z.infer<typeof sealedSchema>;

/** Start-up refusal: the DS must not run, and never makes itself a new key instead. */
export class KeyEncryptionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KeyEncryptionError';
  }
}

/** 32 bytes as base64, base64url or hex (64 digits); anything else is refused. */
export function parseKek(text: string, where: string): Buffer {
  const value = text.trim();
  const bytes = /^[0-9a-fA-F]{64}$/.test(value) ? Buffer.from(value, 'hex')
    : /^[A-Za-z0-9+/_-]{43}=?$/.test(value) ? Buffer.from(value.replace(/\+/g, '-').replace(/\//g, '_').replace(/=$/, ''), 'base64url') : null;
  if (bytes === null || bytes.length !== 32) throw new KeyEncryptionError(`${where} must hold a 32-byte key as base64 or 64 hex digits (e.g. \`openssl rand -base64 32\`)`);
  return bytes;
}

export class KeyEncryption {
  readonly kekId: string;

  constructor(private readonly kek: Buffer) {
    this.kekId = createHash('sha256').update('t1c-ds-kek-id').update(kek).digest('hex').slice(0, 16);
  }

  seal(kid: string, jwk: JWK): SealedJwk {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.kek, iv);
    cipher.setAAD(Buffer.from(kid, 'utf8'));
    const plain = Buffer.from(JSON.stringify(jwk), 'utf8');
    const ct = Buffer.concat([cipher.update(plain), cipher.final()]);
    plain.fill(0);
    return { v: 1, alg: 'A256GCM', kekId: this.kekId, iv: iv.toString('base64url'), ct: ct.toString('base64url'), tag: cipher.getAuthTag().toString('base64url') };
  }

  open(kid: string, stored: unknown): JWK {
    const parsed = sealedSchema.safeParse(stored);
    if (!parsed.success) throw new KeyEncryptionError(`signing key ${kid} is not sealed in a known format`);
    const sealed = parsed.data;
    if (sealed.kekId !== this.kekId) {
      throw new KeyEncryptionError(`signing key ${kid} was sealed with key-encryption key ${sealed.kekId}, but the configured one is ${this.kekId}: start with the right --key-encryption-key-file or ${KEK_ENV}`);
    }
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.kek, Buffer.from(sealed.iv, 'base64url'));
      decipher.setAAD(Buffer.from(kid, 'utf8'));
      decipher.setAuthTag(Buffer.from(sealed.tag, 'base64url'));
      const plain = Buffer.concat([decipher.update(Buffer.from(sealed.ct, 'base64url')), decipher.final()]);
      const jwk = JSON.parse(plain.toString('utf8')) as JWK;
      plain.fill(0);
      return jwk;
    } catch {
      throw new KeyEncryptionError(`signing key ${kid} does not decrypt with key-encryption key ${this.kekId} (tampered, or a different key with a colliding id)`);
    }
  }

  /** True for a row written before keys were sealed (a JWK with its private part in clear). */
  static isPlain(stored: unknown): stored is JWK {
    return typeof stored === 'object' && stored !== null && 'kty' in stored;
  }
}

/**
 * The KEK, in order: a file given on the command line, the environment, and only for the
 * embedded database `<dataDir>/key-encryption-key` (created 0600 on first start). With
 * PostgreSQL one must be given: a key kept beside a shared database protects nothing.
 */
export function resolveKek(input: { given?: string | undefined; file?: string | undefined; env?: string | undefined; dataDir: string; embedded: boolean }): { kek: KeyEncryption; path: string | null; generated: boolean } {
  if (input.given !== undefined) return { kek: new KeyEncryption(parseKek(input.given, 'the keyEncryptionKey option')), path: null, generated: false };
  if (input.file !== undefined && input.file !== '') {
    let text: string;
    try {
      text = readFileSync(input.file, 'utf8');
    } catch (error) {
      throw new KeyEncryptionError(`cannot read the key-encryption key file ${input.file}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`);
    }
    return { kek: new KeyEncryption(parseKek(text, input.file)), path: input.file, generated: false };
  }
  if (input.env !== undefined && input.env !== '') return { kek: new KeyEncryption(parseKek(input.env, KEK_ENV)), path: null, generated: false };
  if (!input.embedded) {
    throw new KeyEncryptionError(`a key-encryption key is required with --database-url: give --key-encryption-key-file or ${KEK_ENV} (32 bytes, base64), the same on every replica`);
  }
  const path = join(input.dataDir, KEK_FILE);
  if (existsSync(path)) return { kek: new KeyEncryption(parseKek(readFileSync(path, 'utf8'), path)), path, generated: false };
  mkdirSync(input.dataDir, { recursive: true, mode: 0o700 });
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, `${randomBytes(32).toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  try {
    linkSync(temp, path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    unlinkSync(temp);
  }
  return { kek: new KeyEncryption(parseKek(readFileSync(path, 'utf8'), path)), path, generated: true };
}
