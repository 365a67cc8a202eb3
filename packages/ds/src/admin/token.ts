import { existsSync, mkdirSync, readFileSync, writeFileSync, chmodSync, statSync } from 'node:fs';
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
  writeFileSync(path, `${token}\n`, { mode: 0o600, flag: 'wx' });
  return { token, path, generated: true };
}

export function readTokenFile(path: string): string {
  return readFileSync(path, 'utf8').trim();
}
