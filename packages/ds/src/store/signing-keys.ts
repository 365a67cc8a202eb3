import type { JWK } from 'jose';
import type { Database, Queryable } from './db.js';
import { KeyEncryption, KeyEncryptionError } from './key-encryption.js';

/** What a key signs: application JWTs, or register/sync answers to devices. Never both. */
export const KEY_PURPOSES = ['token', 'sync'] as const;
export type KeyPurpose = typeof KEY_PURPOSES[number];

export interface StoredSigningKey {
  kid: string;
  alg: string;
  privateJwk: JWK;
  publicJwk: JWK;
  retired: boolean;
}

interface KeyRow {
  kid: string;
  alg: string;
  /** Sealed (key-encryption.ts); a bare JWK only in rows written before sealing existed. */
  private_jwk: unknown;
  public_jwk: JWK;
  retired_at: unknown;
}

const toKey = (r: KeyRow, privateJwk: JWK): StoredSigningKey => ({ kid: r.kid, alg: r.alg, privateJwk, publicJwk: r.public_jwk, retired: r.retired_at !== null });

/** Serialises key creation across replicas so there is only ever one active key per purpose. */
const KEY_LOCK = 52_000_002;

export class SigningKeyQueries {
  constructor(private readonly db: Database, private readonly sealer: KeyEncryption | null = null) {}

  private kek(): KeyEncryption {
    if (this.sealer === null) throw new KeyEncryptionError('no key-encryption key configured for the signing keys');
    return this.sealer;
  }

  /**
   * Run at start: every sealed key must open with the configured KEK (a wrong one throws
   * before anything is written), then keys an older DS stored in clear are sealed.
   */
  async checkKeyEncryption(): Promise<number> {
    return this.db.transaction(async (tx: Queryable) => {
      await tx.query('SELECT pg_advisory_xact_lock($1)', [KEY_LOCK]);
      const rows = await tx.query<{ kid: string; private_jwk: unknown }>('SELECT kid, private_jwk FROM signing_keys');
      for (const r of rows) if (!KeyEncryption.isPlain(r.private_jwk)) this.kek().open(r.kid, r.private_jwk);
      let sealed = 0;
      for (const r of rows) {
        if (!KeyEncryption.isPlain(r.private_jwk)) continue;
        await tx.query('UPDATE signing_keys SET private_jwk = $2 WHERE kid = $1', [r.kid, JSON.stringify(this.kek().seal(r.kid, r.private_jwk))]);
        sealed++;
      }
      return sealed;
    });
  }

  /** The active key of a purpose and, when a rotation happened, the one it replaced. */
  async current(purpose: KeyPurpose): Promise<{ active: StoredSigningKey | null; previous: StoredSigningKey | null }> {
    const rows = await this.db.query<KeyRow>(
      `(SELECT kid, alg, private_jwk, public_jwk, retired_at FROM signing_keys WHERE purpose = $1 AND retired_at IS NULL ORDER BY created_at DESC LIMIT 1)
       UNION ALL
       (SELECT kid, alg, private_jwk, public_jwk, retired_at FROM signing_keys WHERE purpose = $1 AND retired_at IS NOT NULL ORDER BY retired_at DESC LIMIT 1)`, [purpose]);
    const keys = rows.map((r) => toKey(r, this.kek().open(r.kid, r.private_jwk)));
    return { active: keys.find((k) => !k.retired) ?? null, previous: keys.find((k) => k.retired) ?? null };
  }

  /**
   * Installs `make()`'s key as the active one of its purpose. With `onlyIfNone`, does nothing
   * when a key of that purpose is already active (first start of several replicas at once).
   */
  async install(purpose: KeyPurpose, make: () => Promise<Omit<StoredSigningKey, 'retired'>>, onlyIfNone: boolean): Promise<void> {
    await this.db.transaction(async (tx: Queryable) => {
      await tx.query('SELECT pg_advisory_xact_lock($1)', [KEY_LOCK]);
      const active = await tx.query<{ kid: string }>('SELECT kid FROM signing_keys WHERE purpose = $1 AND retired_at IS NULL', [purpose]);
      if (onlyIfNone && active.length > 0) return;
      const key = await make();
      await tx.query('UPDATE signing_keys SET retired_at = now() WHERE purpose = $1 AND retired_at IS NULL', [purpose]);
      await tx.query('INSERT INTO signing_keys (kid, alg, private_jwk, public_jwk, purpose) VALUES ($1, $2, $3, $4, $5)',
        [key.kid, key.alg, JSON.stringify(this.kek().seal(key.kid, key.privateJwk)), JSON.stringify(key.publicJwk), purpose]);
    });
  }
}
