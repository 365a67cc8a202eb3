import { DsError } from '../errors.js';
import { issueKey } from '../secrets.js';
import { compareSemver } from '../policy/semver.js';
import type { Database } from './db.js';
import { type OsName, type Version, iso, isUniqueViolation } from './model.js';

interface VersionRow {
  id: string;
  recommended: boolean;
  mandatory: boolean;
  allowed: boolean;
  uris: Partial<Record<OsName, string>>;
  created_at: unknown;
}

function toVersion(r: VersionRow): Version {
  return { id: r.id, recommended: r.recommended, mandatory: r.mandatory, allowed: r.allowed, uris: r.uris, createdAt: iso(r.created_at) };
}

export interface VersionInput {
  id: string;
  recommended: boolean;
  mandatory: boolean;
  allowed: boolean;
  uris: Partial<Record<OsName, string>>;
}

export class VersionQueries {
  constructor(private readonly db: Database) {}

  /**
   * Creates or updates a version. A new version gets a registration key (returned once);
   * an update keeps its keys.
   */
  async upsert(input: VersionInput): Promise<{ version: Version; registrationKey: string | null }> {
    try {
      return await this.upsertOnce(input);
    } catch (error) {
      // Two admins creating the same new version at once: one wins, the other is told.
      if (isUniqueViolation(error)) throw new DsError('conflict', `version ${input.id} was created concurrently; retry`);
      throw error;
    }
  }

  private upsertOnce(input: VersionInput): Promise<{ version: Version; registrationKey: string | null }> {
    return this.db.transaction(async (tx) => {
      const existing = await tx.query<{ id: string }>('SELECT id FROM versions WHERE id = $1 FOR UPDATE', [input.id]);
      let registrationKey: string | null = null;
      if (existing.length === 0) {
        await tx.query('INSERT INTO versions (id, recommended, mandatory, allowed, uris) VALUES ($1, $2, $3, $4, $5)',
          [input.id, input.recommended, input.mandatory, input.allowed, JSON.stringify(input.uris)]);
        const key = issueKey('rk');
        await tx.query('INSERT INTO registration_keys (key_id, version_id, key_hash) VALUES ($1, $2, $3)', [key.keyId, input.id, key.secretHash]);
        registrationKey = key.value;
      } else {
        await tx.query('UPDATE versions SET recommended = $2, mandatory = $3, allowed = $4, uris = $5 WHERE id = $1',
          [input.id, input.recommended, input.mandatory, input.allowed, JSON.stringify(input.uris)]);
      }
      const row = (await tx.query<VersionRow>('SELECT * FROM versions WHERE id = $1', [input.id]))[0];
      if (row === undefined) throw new DsError('internal');
      return { version: toVersion(row), registrationKey };
    });
  }

  /**
   * Issues an additional registration key for a version (e.g. a new installer batch);
   * `maxDevices` overrides the DS-wide default of devices it may register.
   */
  async addRegistrationKey(versionId: string, maxDevices?: number): Promise<string> {
    const key = issueKey('rk');
    const rows = await this.db.query<{ key_id: string }>(
      `INSERT INTO registration_keys (key_id, version_id, key_hash, max_devices) SELECT $1, id, $3, $4 FROM versions WHERE id = $2 RETURNING key_id`,
      [key.keyId, versionId, key.secretHash, maxDevices ?? null]);
    if (rows.length === 0) throw new DsError('notFound', `version ${versionId} not found`);
    return key.value;
  }

  async list(): Promise<Version[]> {
    const rows = (await this.db.query<VersionRow>('SELECT * FROM versions')).map(toVersion);
    return rows.sort((a, b) => compareSemver(b.id, a.id));
  }

  async get(id: string): Promise<Version | null> {
    const r = (await this.db.query<VersionRow>('SELECT * FROM versions WHERE id = $1', [id]))[0];
    return r === undefined ? null : toVersion(r);
  }

  /** The highest allowed version, by semver precedence. */
  async latest(): Promise<Version | null> {
    return (await this.list()).find((v) => v.allowed) ?? null;
  }

  async registrationKey(keyId: string): Promise<{ keyId: string; versionId: string; keyHash: string } | null> {
    const r = (await this.db.query<{ version_id: string; key_hash: string }>(
      'SELECT version_id, key_hash FROM registration_keys WHERE key_id = $1 AND revoked_at IS NULL', [keyId]))[0];
    return r === undefined ? null : { keyId, versionId: r.version_id, keyHash: r.key_hash };
  }
}
