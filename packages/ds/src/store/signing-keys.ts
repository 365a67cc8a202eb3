import type { JWK } from 'jose';
import type { Database, Queryable } from './db.js';

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
  private_jwk: JWK;
  public_jwk: JWK;
  retired_at: unknown;
}

const toKey = (r: KeyRow): StoredSigningKey => ({ kid: r.kid, alg: r.alg, privateJwk: r.private_jwk, publicJwk: r.public_jwk, retired: r.retired_at !== null });

/** Serialises key creation across replicas so there is only ever one active key per purpose. */
const KEY_LOCK = 52_000_002;

export class SigningKeyQueries {
  constructor(private readonly db: Database) {}

  /** The active key of a purpose and, when a rotation happened, the one it replaced. */
  async current(purpose: KeyPurpose): Promise<{ active: StoredSigningKey | null; previous: StoredSigningKey | null }> {
    const rows = await this.db.query<KeyRow>(
      `(SELECT kid, alg, private_jwk, public_jwk, retired_at FROM signing_keys WHERE purpose = $1 AND retired_at IS NULL ORDER BY created_at DESC LIMIT 1)
       UNION ALL
       (SELECT kid, alg, private_jwk, public_jwk, retired_at FROM signing_keys WHERE purpose = $1 AND retired_at IS NOT NULL ORDER BY retired_at DESC LIMIT 1)`, [purpose]);
    const keys = rows.map(toKey);
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
        [key.kid, key.alg, JSON.stringify(key.privateJwk), JSON.stringify(key.publicJwk), purpose]);
    });
  }
}
