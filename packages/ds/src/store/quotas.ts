import { DsError } from '../errors.js';
import type { Queryable } from './db.js';
import type { CounterEntry } from './model.js';

/**
 * What one registered device (or one registration key) may do. Everything is counted in the
 * database inside the request's transaction, under a row lock, so the limits hold across
 * replicas and concurrent requests.
 */
export interface DeviceQuotas {
  /** Largest count one device may book for one application, use case and day (all batches together). */
  countPerEntryPerDay: number;
  /** Largest total one device may book for one day, all applications together. */
  countPerDevicePerDay: number;
  /** Log uploads per device in any 24 hours, and their total size in bytes. */
  logUploadsPerDay: number;
  logBytesPerDay: number;
  /** Devices one registration key registers, unless the admin gave the key its own limit. */
  devicesPerRegistrationKey: number;
  /** New devices per registration key in any hour. */
  registrationsPerKeyPerHour: number;
}

export const DEFAULT_QUOTAS: DeviceQuotas = {
  countPerEntryPerDay: 100_000,
  countPerDevicePerDay: 250_000,
  logUploadsPerDay: 24,
  logBytesPerDay: 16 * 1024 * 1024,
  devicesPerRegistrationKey: 10_000,
  registrationsPerKeyPerHour: 1_000,
};

/** Counters connectors send for requests that carried no application JWT (`--no-jwt`). */
export const UNATTRIBUTED_APPLICATION = 'unknown';

/** Counter days accepted: a connector offline for a long time still reports, the future never. */
const MAX_COUNTER_AGE_DAYS = 400;
const DAY_MS = 86_400_000;

const utcDay = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

/**
 * Refuses a counter batch that names applications the DS does not know, days far away, or
 * counts beyond the per-device bounds. Throws before anything is written; the caller's
 * transaction rolls back the nonce and batch id with it.
 */
export async function checkCounters(tx: Queryable, deviceId: string, entries: readonly CounterEntry[], quotas: DeviceQuotas): Promise<void> {
  if (entries.length === 0) return;
  const now = Date.now();
  const [earliest, latest] = [utcDay(now - MAX_COUNTER_AGE_DAYS * DAY_MS), utcDay(now + DAY_MS)];
  const farDay = entries.find((e) => e.day < earliest || e.day > latest);
  if (farDay !== undefined) throw new DsError('invalidInput', `invalid counters: day ${farDay.day} is outside ${earliest}..${latest}; nothing was counted`);

  const named = [...new Set(entries.map((e) => e.application).filter((a) => a !== UNATTRIBUTED_APPLICATION))];
  if (named.length > 0) {
    const placeholders = named.map((_, i) => `$${i + 1}`).join(', ');
    const known = new Set((await tx.query<{ id: string }>(`SELECT id::text AS id FROM applications WHERE id::text IN (${placeholders})`, named)).map((r) => r.id));
    const unknown = named.filter((a) => !known.has(a));
    if (unknown.length > 0) {
      throw new DsError('invalidInput', `invalid counters: unknown application ${unknown.slice(0, 3).map((a) => JSON.stringify(a.slice(0, 80))).join(', ')}${unknown.length > 3 ? ` and ${unknown.length - 3} more` : ''}; nothing was counted`);
    }
  }

  const days = [...new Set(entries.map((e) => e.day))].sort();
  const rows = await tx.query<{ day: string; application: string; use_case: string; total: string | number }>(
    `SELECT to_char(day, 'YYYY-MM-DD') AS day, application, use_case, total FROM device_counter_totals
     WHERE device_id = $1 AND day >= $2::date AND day <= $3::date`, [deviceId, days[0], days[days.length - 1]]);
  const perEntry = new Map<string, number>();
  const perDay = new Map<string, number>();
  const add = (day: string, application: string, useCase: string, n: number): void => {
    const key = JSON.stringify([day, application, useCase]);
    perEntry.set(key, (perEntry.get(key) ?? 0) + n);
    perDay.set(day, (perDay.get(day) ?? 0) + n);
  };
  for (const r of rows) add(r.day, r.application, r.use_case, Number(r.total));
  for (const e of entries) add(e.day, e.application, e.useCase, e.count);

  for (const [key, total] of perEntry) {
    if (total <= quotas.countPerEntryPerDay) continue;
    const [day, application, useCase] = JSON.parse(key) as [string, string, string];
    throw new DsError('quotaExceeded', `counter quota exceeded: ${total} for application ${application.slice(0, 80)}, use case ${useCase.slice(0, 40)} on ${day} is more than the ${quotas.countPerEntryPerDay} one device may book per application, use case and day; nothing was counted`);
  }
  for (const [day, total] of perDay) {
    if (total <= quotas.countPerDevicePerDay) continue;
    throw new DsError('quotaExceeded', `counter quota exceeded: ${total} on ${day} is more than the ${quotas.countPerDevicePerDay} one device may book per day; nothing was counted`);
  }
  for (const e of entries) {
    await tx.query(`INSERT INTO device_counter_totals (device_id, day, application, use_case, total) VALUES ($1, $2::date, $3, $4, $5)
      ON CONFLICT (device_id, day, application, use_case) DO UPDATE SET total = device_counter_totals.total + EXCLUDED.total`,
      [deviceId, e.day, e.application, e.useCase, e.count]);
  }
}

/** Seconds until the oldest event of a sliding window leaves it (at least 1). */
function retryAfter(oldestEpochSeconds: number | null, windowSeconds: number): number {
  if (oldestEpochSeconds === null) return windowSeconds;
  return Math.max(1, Math.ceil(oldestEpochSeconds + windowSeconds - Date.now() / 1000));
}

/** Call with the device row locked (the caller's UPDATE of last_seen does that). */
export async function checkLogQuota(tx: Queryable, deviceId: string, size: number, quotas: DeviceQuotas): Promise<void> {
  const row = (await tx.query<{ n: number; bytes: number; oldest: number | null }>(
    `SELECT count(*)::int AS n, coalesce(sum(size), 0)::float8 AS bytes, extract(epoch FROM min(received_at))::float8 AS oldest
     FROM device_logs WHERE device_id = $1 AND received_at > now() - interval '1 day'`, [deviceId]))[0];
  const n = row?.n ?? 0;
  const bytes = Number(row?.bytes ?? 0);
  const wait = retryAfter(row?.oldest ?? null, 86_400);
  if (n + 1 > quotas.logUploadsPerDay) {
    throw new DsError('quotaExceeded', `log upload quota exceeded: this device already uploaded ${n} logs in the last 24 hours (limit ${quotas.logUploadsPerDay})`, wait);
  }
  if (bytes + size > quotas.logBytesPerDay) {
    throw new DsError('quotaExceeded', `log upload quota exceeded: ${bytes + size} bytes in 24 hours would be more than the ${quotas.logBytesPerDay} allowed per device`, wait);
  }
}

/**
 * A new device on `keyId`: refused past the key's device limit (403) or its hourly rate (429).
 * Locks the registration key row so concurrent registrations on any replica count in turn.
 */
export async function checkRegistrationQuota(tx: Queryable, keyId: string, quotas: DeviceQuotas): Promise<void> {
  const key = (await tx.query<{ max_devices: number | null }>('SELECT max_devices FROM registration_keys WHERE key_id = $1 FOR UPDATE', [keyId]))[0];
  const max = key?.max_devices ?? quotas.devicesPerRegistrationKey;
  const row = (await tx.query<{ total: number; recent: number; oldest: number | null }>(
    `SELECT count(*)::int AS total,
       (count(*) FILTER (WHERE first_seen > now() - interval '1 hour'))::int AS recent,
       extract(epoch FROM min(first_seen) FILTER (WHERE first_seen > now() - interval '1 hour'))::float8 AS oldest
     FROM devices WHERE registration_key_id = $1`, [keyId]))[0];
  if ((row?.total ?? 0) >= max) {
    throw new DsError('registrationLimit', `registration key has reached its limit of ${max} devices; ask the DS admin for another key`);
  }
  if ((row?.recent ?? 0) >= quotas.registrationsPerKeyPerHour) {
    throw new DsError('quotaExceeded', `registration rate exceeded: this registration key registered ${row?.recent ?? 0} new devices in the last hour (limit ${quotas.registrationsPerKeyPerHour})`, retryAfter(row?.oldest ?? null, 3600));
  }
}
