import type { z } from 'zod';
import { queryRegistryKey, systemReg, type RegRunner, type RegValue } from './reg-query.js';
import { settingsSchema, type Settings } from './settings.js';

/** Where the MSI writes the connector's per-user settings and where an admin (GPO, Intune) sets them. */
export const REGISTRY_KEY = 'HKCU\\Software\\T1C\\Connector';
/**
 * The machine baseline for every user: written by the per-machine MSI (`Registry`, `Transport`
 * for a machine-wide Registry), or by an administrator; each user's HKCU key is above it.
 */
export const MACHINE_REGISTRY_KEY = 'HKLM\\Software\\T1C\\Connector';

type Convert = (value: RegValue) => unknown;

const dword: Convert = (v) => {
  if (v.type !== 'REG_DWORD') throw new TypeError(`must be REG_DWORD, is ${v.type}`);
  const n = Number.parseInt(v.data, 16);
  if (!/^0x[0-9a-f]{1,8}$/i.test(v.data) || Number.isNaN(n)) throw new TypeError(`unreadable DWORD "${v.data}"`);
  return n === 0 ? undefined : n;
};

const text: Convert = (v) => {
  if (v.type !== 'REG_SZ') throw new TypeError(`must be REG_SZ, is ${v.type}`);
  const s = v.data.trim();
  return s === '' ? undefined : s;
};

// A switch: 1 on, 0 off (an explicit off, so a user's HKCU can turn off the machine's switch).
const flag: Convert = (v) => {
  if (v.type !== 'REG_DWORD') throw new TypeError(`must be REG_DWORD, is ${v.type}`);
  if (!/^0x[01]$/i.test(v.data)) throw new TypeError(`must be 0 or 1 (got ${v.data})`);
  return v.data.endsWith('1');
};

// A list as REG_SZ (comma- or space-separated, like T1C_ALLOW_ORIGINS) or REG_MULTI_SZ (reg prints "\0" between items).
const list: Convert = (v) => {
  if (v.type !== 'REG_SZ' && v.type !== 'REG_MULTI_SZ') throw new TypeError(`must be REG_SZ or REG_MULTI_SZ, is ${v.type}`);
  const items = v.data.split(v.type === 'REG_MULTI_SZ' ? '\\0' : /[\s,]+/).map((s) => s.trim()).filter((s) => s.length > 0);
  return items.length === 0 ? undefined : items;
};

/**
 * Registry value → setting. Port 0 and empty strings mean "not set" (the MSI writes DsUrl,
 * LogLevel and AllowedOrigins empty): an empty AllowedOrigins is "no origins configured here",
 * not an empty allow-list overriding the other layers.
 */
const VALUES: Readonly<Record<string, { key: keyof Settings; convert: Convert }>> = {
  Port: { key: 'port', convert: dword },
  DsUrl: { key: 'dsUrl', convert: text },
  LogLevel: { key: 'logLevel', convert: text },
  AllowedOrigins: { key: 'allowOrigins', convert: list },
  /** 1: run as an agent of the machine's Registry (the per-machine MSI with REGISTRY=1 sets it in HKLM). */
  Registry: { key: 'registry', convert: flag },
  Transport: { key: 'transport', convert: text },
};

const shape: Readonly<Record<string, z.ZodType>> = settingsSchema.shape;

/** Registry values of `key` → settings, each checked against the settings schema; errors name the value. */
export function settingsFromRegistry(values: readonly RegValue[], key: string = REGISTRY_KEY): Partial<Settings> {
  const out: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const v of values) {
    const where = `${key}\\${v.name}`;
    // Value names are case-insensitive on Windows.
    const known = Object.entries(VALUES).find(([name]) => name.toLowerCase() === v.name.toLowerCase())?.[1];
    if (!known) {
      problems.push(`${where}: unknown value (known: ${Object.keys(VALUES).join(', ')})`);
      continue;
    }
    let value: unknown;
    try {
      value = known.convert(v);
    } catch (error) {
      problems.push(`${where}: ${(error as Error).message}`);
      continue;
    }
    if (value === undefined) continue;
    const parsed = shape[known.key]?.safeParse(value);
    if (!parsed?.success) {
      problems.push(`${where}: ${parsed?.error.issues.map((i) => i.message).join('; ') ?? 'not a setting'} (got ${JSON.stringify(value)})`);
      continue;
    }
    out[known.key] = parsed.data;
  }
  if (problems.length > 0) throw new Error(`invalid registry settings: ${problems.join('; ')}`);
  return out as Partial<Settings>;
}

/** The user's settings layer from the registry (HKCU); nothing when the key is absent. */
export function readRegistrySettings(run: RegRunner = systemReg()): Partial<Settings> {
  return settingsFromRegistry(queryRegistryKey(REGISTRY_KEY, run) ?? [], REGISTRY_KEY);
}

/** The machine's baseline from the registry (HKLM); nothing when the key is absent. */
export function readMachineRegistrySettings(run: RegRunner = systemReg()): Partial<Settings> {
  return settingsFromRegistry(queryRegistryKey(MACHINE_REGISTRY_KEY, run) ?? [], MACHINE_REGISTRY_KEY);
}
