import { chmodSync, existsSync, linkSync, mkdirSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomToken } from '../secrets.js';

export const ADMIN_TOKEN_FILE = 'admin-token';

/**
 * The admin token comes from T1C_DS_ADMIN_TOKEN, else from `<dataDir>/admin-token`, else is
 * generated there (mode 0600). Replicas share it through the variable or a shared file.
 */
export function resolveAdminToken(dataDir: string, fromEnv: string | undefined): { token: string; path: string | null; generated: boolean } {
  if (fromEnv !== undefined && fromEnv !== '') {
    if (fromEnv.length < 16) throw new Error('T1C_DS_ADMIN_TOKEN must be at least 16 characters');
    return { token: fromEnv, path: null, generated: false };
  }
  const path = join(dataDir, ADMIN_TOKEN_FILE);
  if (existsSync(path)) {
    // Tighten permissions if someone loosened them; the file is a credential.
    if ((statSync(path).mode & 0o077) !== 0) chmodSync(path, 0o600);
    const token = readFileSync(path, 'utf8').trim();
    if (token.length < 16) throw new Error(`${path} does not hold a usable admin token`);
    return { token, path, generated: false };
  }
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const token = randomToken();
  // Write aside, then link into place: a replica starting at the same moment either wins
  // the link or reads the complete file the other one linked, never a half-written one.
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, `${token}\n`, { mode: 0o600, flag: 'wx' });
  try {
    linkSync(temp, path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return { token: readFileSync(path, 'utf8').trim(), path, generated: false };
  } finally {
    unlinkSync(temp);
  }
  return { token, path, generated: true };
}

export function readTokenFile(path: string): string {
  return readFileSync(path, 'utf8').trim();
}
