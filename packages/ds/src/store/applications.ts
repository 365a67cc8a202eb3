import { randomUUID } from 'node:crypto';
import { DsError } from '../errors.js';
import { issueKey } from '../secrets.js';
import type { Database, Queryable } from './db.js';
import { type Application, type Organisation, iso, isoOrNull, isUniqueViolation } from './model.js';

interface AppRow {
  id: string;
  org_id: string;
  org_name: string;
  name: string;
  token_lifetime: number;
  origins: string[] | null;
  key_id: string | null;
  key_created_at: unknown;
  created_at: unknown;
}

const APP_SELECT = `
  SELECT a.id, a.org_id, o.name AS org_name, a.name, a.token_lifetime, a.key_id, a.key_created_at, a.created_at,
         COALESCE((SELECT array_agg(origin ORDER BY origin) FROM application_origins WHERE app_id = a.id), '{}') AS origins
  FROM applications a JOIN organisations o ON o.id = a.org_id`;

function toApp(r: AppRow): Application {
  return {
    id: r.id, orgId: r.org_id, orgName: r.org_name, name: r.name, tokenLifetime: r.token_lifetime,
    origins: r.origins ?? [], hasKey: r.key_id !== null, keyCreatedAt: isoOrNull(r.key_created_at), createdAt: iso(r.created_at),
  };
}

export interface KeyedApplication {
  id: string;
  keyHash: string;
  tokenLifetime: number;
  origins: string[];
}

export class ApplicationQueries {
  constructor(private readonly db: Database) {}

  async createOrg(name: string): Promise<Organisation> {
    try {
      const rows = await this.db.query<{ id: string; name: string; created_at: unknown }>(
        'INSERT INTO organisations (id, name) VALUES ($1, $2) RETURNING id, name, created_at', [randomUUID(), name]);
      const r = rows[0];
      if (r === undefined) throw new DsError('internal');
      return { id: r.id, name: r.name, createdAt: iso(r.created_at) };
    } catch (error) {
      if (isUniqueViolation(error)) throw new DsError('conflict', `organisation "${name}" already exists`);
      throw error;
    }
  }

  async listOrgs(): Promise<Organisation[]> {
    const rows = await this.db.query<{ id: string; name: string; created_at: unknown }>('SELECT id, name, created_at FROM organisations ORDER BY name');
    return rows.map((r) => ({ id: r.id, name: r.name, createdAt: iso(r.created_at) }));
  }

  /** Organisations are addressed by id or by their unique name. */
  private async orgId(tx: Queryable, idOrName: string): Promise<string> {
    const rows = await tx.query<{ id: string }>('SELECT id FROM organisations WHERE id::text = $1 OR name = $1', [idOrName]);
    const r = rows[0];
    if (r === undefined) throw new DsError('notFound', `organisation "${idOrName}" not found`);
    return r.id;
  }

  async createApp(org: string, name: string, origins: readonly string[], tokenLifetime: number): Promise<{ app: Application; apiKey: string }> {
    const id = randomUUID();
    const key = issueKey('ak');
    try {
      await this.db.transaction(async (tx) => {
        const orgId = await this.orgId(tx, org);
        await tx.query(`INSERT INTO applications (id, org_id, name, token_lifetime, key_id, key_hash, key_created_at)
          VALUES ($1, $2, $3, $4, $5, $6, now())`, [id, orgId, name, tokenLifetime, key.keyId, key.secretHash]);
        for (const origin of new Set(origins)) {
          await tx.query('INSERT INTO application_origins (app_id, origin) VALUES ($1, $2)', [id, origin]);
        }
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw new DsError('conflict', `application "${name}" already exists in that organisation`);
      throw error;
    }
    return { app: await this.getApp(id), apiKey: key.value };
  }

  async listApps(): Promise<Application[]> {
    return (await this.db.query<AppRow>(`${APP_SELECT} ORDER BY o.name, a.name`)).map(toApp);
  }

  async getApp(id: string): Promise<Application> {
    const r = (await this.db.query<AppRow>(`${APP_SELECT} WHERE a.id::text = $1`, [id]))[0];
    if (r === undefined) throw new DsError('notFound', 'application not found');
    return toApp(r);
  }

  /** A new key replaces the old one at once: the old key stops working immediately. */
  async rotateKey(id: string): Promise<string> {
    const key = issueKey('ak');
    const rows = await this.db.query<{ id: string }>(
      'UPDATE applications SET key_id = $2, key_hash = $3, key_created_at = now() WHERE id::text = $1 RETURNING id', [id, key.keyId, key.secretHash]);
    if (rows.length === 0) throw new DsError('notFound', 'application not found');
    return key.value;
  }

  async revokeKey(id: string): Promise<void> {
    const rows = await this.db.query<{ id: string }>(
      'UPDATE applications SET key_id = NULL, key_hash = NULL, key_created_at = NULL WHERE id::text = $1 RETURNING id', [id]);
    if (rows.length === 0) throw new DsError('notFound', 'application not found');
  }

  async addOrigin(id: string, origin: string): Promise<Application> {
    const app = await this.getApp(id);
    await this.db.query('INSERT INTO application_origins (app_id, origin) VALUES ($1, $2) ON CONFLICT DO NOTHING', [app.id, origin]);
    return this.getApp(app.id);
  }

  async removeOrigin(id: string, origin: string): Promise<Application> {
    const app = await this.getApp(id);
    const rows = await this.db.query<{ origin: string }>('DELETE FROM application_origins WHERE app_id = $1 AND origin = $2 RETURNING origin', [app.id, origin]);
    if (rows.length === 0) throw new DsError('notFound', 'origin not found on that application');
    return this.getApp(app.id);
  }

  /** The token endpoint's one query: the key row joined with its origins (cheapest shape on both drivers). */
  async findByKeyId(keyId: string): Promise<KeyedApplication | null> {
    const rows = await this.db.query<{ id: string; key_hash: string; token_lifetime: number; origin: string | null }>(
      `SELECT a.id, a.key_hash, a.token_lifetime, o.origin
       FROM applications a LEFT JOIN application_origins o ON o.app_id = a.id
       WHERE a.key_id = $1 AND a.key_hash IS NOT NULL`, [keyId]);
    const first = rows[0];
    if (first === undefined) return null;
    const origins = rows.flatMap((r) => (r.origin === null ? [] : [r.origin])).sort();
    return { id: first.id, keyHash: first.key_hash, tokenLifetime: first.token_lifetime, origins };
  }

  async allOrigins(): Promise<string[]> {
    const rows = await this.db.query<{ origin: string }>('SELECT DISTINCT origin FROM application_origins ORDER BY origin');
    return rows.map((r) => r.origin);
  }
}
