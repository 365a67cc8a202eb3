import { randomUUID } from 'node:crypto';
import { DsError } from '../errors.js';
import type { Database, Queryable } from './db.js';
import { type CounterEntry, type Device, iso, isUniqueViolation } from './model.js';
import { type DeviceQuotas, checkCounters, checkLogQuota, checkRegistrationQuota } from './quotas.js';

interface DeviceRow {
  id: string;
  key_fingerprint: string;
  public_key: string;
  os: string;
  version: string;
  registered_version: string;
  first_seen: unknown;
  last_seen: unknown;
}

function toDevice(r: DeviceRow): Device {
  return {
    id: r.id, keyFingerprint: r.key_fingerprint, publicKey: r.public_key, os: r.os, version: r.version,
    registeredVersion: r.registered_version, firstSeen: iso(r.first_seen), lastSeen: iso(r.last_seen),
  };
}

export interface CounterBatch {
  batchId: string;
  entries: readonly CounterEntry[];
}

/**
 * Remembers a signed request's nonce inside the caller's transaction: a second use of the
 * same nonce by the same key is a replay and aborts the whole request.
 */
async function rememberNonce(tx: Queryable, fingerprint: string, nonce: string): Promise<void> {
  try {
    await tx.query('INSERT INTO request_nonces (key_fingerprint, nonce) VALUES ($1, $2)', [fingerprint, nonce]);
  } catch (error) {
    if (isUniqueViolation(error)) throw new DsError('replay');
    throw error;
  }
}

export class DeviceQueries {
  constructor(private readonly db: Database) {}

  /**
   * Registering the same key again returns the same device: retries are harmless and do not
   * count against the registration key's quota; a new key is counted in the same transaction.
   */
  async register(input: { fingerprint: string; publicKey: string; os: string; version: string; nonce: string; registrationKeyId: string; quotas: DeviceQuotas }): Promise<Device> {
    return this.db.transaction(async (tx) => {
      await rememberNonce(tx, input.fingerprint, input.nonce);
      const known = await tx.query<{ id: string }>('SELECT id FROM devices WHERE key_fingerprint = $1', [input.fingerprint]);
      if (known.length === 0) await checkRegistrationQuota(tx, input.registrationKeyId, input.quotas);
      await tx.query(`INSERT INTO devices (id, key_fingerprint, public_key, os, version, registered_version, registration_key_id)
        VALUES ($1, $2, $3, $4, $5, $5, $6)
        ON CONFLICT (key_fingerprint) DO UPDATE SET os = EXCLUDED.os, version = EXCLUDED.version, last_seen = now()`,
        [randomUUID(), input.fingerprint, input.publicKey, input.os, input.version, input.registrationKeyId]);
      const row = (await tx.query<DeviceRow>('SELECT * FROM devices WHERE key_fingerprint = $1', [input.fingerprint]))[0];
      if (row === undefined) throw new DsError('internal');
      return toDevice(row);
    });
  }

  async get(id: string): Promise<Device | null> {
    const r = (await this.db.query<DeviceRow>('SELECT * FROM devices WHERE id::text = $1', [id]))[0];
    return r === undefined ? null : toDevice(r);
  }

  /**
   * One sync in one transaction: nonce, device state and counters commit together. A batch
   * id already applied for this device is skipped, so a retried upload never double-counts.
   */
  async sync(input: { device: Device; nonce: string; os: string; version: string; counters: CounterBatch | undefined; quotas: DeviceQuotas }): Promise<{ countersApplied: boolean }> {
    return this.db.transaction(async (tx) => {
      await rememberNonce(tx, input.device.keyFingerprint, input.nonce);
      await tx.query('UPDATE devices SET os = $2, version = $3, last_seen = now() WHERE id = $1', [input.device.id, input.os, input.version]);
      if (input.counters === undefined) return { countersApplied: false };
      const fresh = await tx.query<{ batch_id: string }>(
        'INSERT INTO counter_batches (device_id, batch_id) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING batch_id',
        [input.device.id, input.counters.batchId]);
      if (fresh.length === 0) return { countersApplied: false };
      // The UPDATE above holds the device row: this device's syncs are counted one at a time.
      await checkCounters(tx, input.device.id, input.counters.entries, input.quotas);
      for (const e of input.counters.entries) {
        await tx.query(`INSERT INTO transaction_counters (application, tag, module, use_case, day, count)
          VALUES ($1, $2, $3, $4, $5::date, $6)
          ON CONFLICT (application, tag, module, use_case, day) DO UPDATE SET count = transaction_counters.count + EXCLUDED.count`,
          [e.application, e.tag, e.module, e.useCase, e.day, e.count]);
      }
      return { countersApplied: true };
    });
  }

  async addLog(input: { device: Device; nonce: string; content: string; quotas: DeviceQuotas }): Promise<string> {
    const id = randomUUID();
    const size = Buffer.byteLength(input.content);
    await this.db.transaction(async (tx) => {
      await rememberNonce(tx, input.device.keyFingerprint, input.nonce);
      // Locks the device row first, so concurrent uploads (any replica) are counted in turn.
      await tx.query('UPDATE devices SET last_seen = now() WHERE id = $1', [input.device.id]);
      await checkLogQuota(tx, input.device.id, size, input.quotas);
      await tx.query('INSERT INTO device_logs (id, device_id, size, content) VALUES ($1, $2, $3, $4)',
        [id, input.device.id, size, input.content]);
    });
    return id;
  }

  async list(): Promise<Device[]> {
    return (await this.db.query<DeviceRow>('SELECT * FROM devices ORDER BY last_seen DESC')).map(toDevice);
  }

  async logs(deviceId: string | undefined): Promise<Array<{ id: string; deviceId: string; receivedAt: string; size: number }>> {
    const rows = await this.db.query<{ id: string; device_id: string; received_at: unknown; size: number }>(
      `SELECT id, device_id, received_at, size FROM device_logs WHERE $1::text IS NULL OR device_id::text = $1 ORDER BY received_at DESC LIMIT 500`,
      [deviceId ?? null]);
    return rows.map((r) => ({ id: r.id, deviceId: r.device_id, receivedAt: iso(r.received_at), size: r.size }));
  }

  async transactions(): Promise<CounterEntry[]> {
    const rows = await this.db.query<{ application: string; tag: string; module: string; use_case: string; day: string; count: number }>(
      `SELECT application, tag, module, use_case, to_char(day, 'YYYY-MM-DD') AS day, count
       FROM transaction_counters ORDER BY day DESC, application, tag, module, use_case LIMIT 10000`);
    return rows.map((r) => ({ application: r.application, tag: r.tag, module: r.module, useCase: r.use_case, day: r.day, count: r.count }));
  }

  /** Nonces only need to outlive the timestamp window; older ones are dropped. */
  async pruneNonces(olderThanSeconds: number): Promise<void> {
    await this.db.query(`DELETE FROM request_nonces WHERE seen_at < now() - make_interval(secs => $1)`, [olderThanSeconds]);
  }
}
