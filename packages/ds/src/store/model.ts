/** Shapes the store hands upward; timestamps are ISO strings whatever the driver returns. */
import type { OsName } from '../policy/os-names.js';

export { OS_NAMES, type OsName } from '../policy/os-names.js';

export interface Organisation {
  id: string;
  name: string;
  createdAt: string;
}

export interface Application {
  id: string;
  orgId: string;
  orgName: string;
  name: string;
  tokenLifetime: number;
  origins: string[];
  hasKey: boolean;
  keyCreatedAt: string | null;
  createdAt: string;
}

export interface Version {
  id: string;
  recommended: boolean;
  mandatory: boolean;
  allowed: boolean;
  uris: Partial<Record<OsName, string>>;
  createdAt: string;
}

export interface Device {
  id: string;
  keyFingerprint: string;
  publicKey: string;
  os: string;
  version: string;
  registeredVersion: string;
  firstSeen: string;
  lastSeen: string;
}

export interface CounterEntry {
  application: string;
  tag: string;
  module: string;
  useCase: string;
  /** YYYY-MM-DD (UTC). */
  day: string;
  count: number;
}

export function iso(value: unknown): string {
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'string') return new Date(value).toISOString();
  throw new Error('unexpected timestamp value from the database');
}

export function isoOrNull(value: unknown): string | null {
  return value === null || value === undefined ? null : iso(value);
}


export function isUniqueViolation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === '23505';
}
