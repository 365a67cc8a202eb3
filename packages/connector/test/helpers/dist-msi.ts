import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { build as buildMsi, msiFiles } from '../../../../packaging/installers/msi.mjs';
import { ensureExecutables, ROOT, ROOT_VERSION } from './dist-exe.js';

export const MSIS = msiFiles(join(ROOT, 'dist'), ROOT_VERSION);

/**
 * Both MSIs of `npm run dist`, made again when one is missing or older than what they are made
 * of (the executable, rebuilt by ensureExecutables when its sources changed, the WiX sources,
 * the C helpers, the recipe).
 */
export async function ensureMsis(): Promise<typeof MSIS> {
  const [exe] = Object.values(await ensureExecutables(['win-x64']));
  assert.ok(exe);
  const inputs = [exe, ...['t1c.wxs', 't1c-machine.wxs', 't1cw.c', 't1csvc.c', 'command-line.h', 'launcher.mjs'].map((f) => join(ROOT, 'packaging', 'windows', f)),
    join(ROOT, 'packaging', 'installers', 'msi.mjs')];
  const fresh = (msi: string): boolean => existsSync(msi) && inputs.every((f) => statSync(f).mtimeMs <= statSync(msi).mtimeMs);
  if (!fresh(MSIS.perUser) || !fresh(MSIS.perMachine)) {
    await buildMsi({ root: ROOT, distDir: join(ROOT, 'dist'), version: ROOT_VERSION, targets: [{ name: 'win-x64', executable: exe }] });
  }
  return MSIS;
}

/** The rows of one MSI table, as msiinfo exports them (tab-separated). */
export function msiTable(msi: string, table: string): string[][] {
  const r = spawnSync('msiinfo', ['export', msi, table], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  // Three header lines: column names, column types, table name and keys.
  return r.stdout.split(/\r?\n/).slice(3).filter((l) => l.length > 0).map((l) => l.split('\t'));
}
