import { createHash } from 'node:crypto';
import { chmodSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { getAsset, isSea } from 'node:sea';
import { defaultUserDirs } from '../config/paths.js';
import { ensurePrivateDir } from '../security/private-file.js';

/** Name of koffi's prebuilt binary for this target inside the executable (a SEA asset). */
export const KOFFI_ASSET = 'koffi.node';

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function fileDigest(path: string): string | undefined {
  try {
    return sha256(readFileSync(path));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** Where the binary is extracted: the user's own data dir, named by its hash so versions never collide. */
export function koffiAddonPath(digest: string, env: NodeJS.ProcessEnv = process.env): string {
  // An empty or relative T1C_DATA_DIR would put a loadable binary in whatever the working directory is.
  const dataDir = env.T1C_DATA_DIR && isAbsolute(env.T1C_DATA_DIR) ? env.T1C_DATA_DIR : defaultUserDirs(env).dataDir;
  return join(dataDir, 'native', `koffi-${digest.slice(0, 32)}.node`);
}

/**
 * Loads koffi's native binding in the single executable. A native addon cannot be loaded from
 * memory, so the copy carried in the executable is written once to a directory only this user
 * can write (0700), and its hash is checked against the carried bytes before every load: a
 * file swapped on disk is replaced, never loaded.
 */
export function loadKoffiAddon(): unknown {
  if (!isSea()) throw new Error('koffi addon: only the single executable carries it');
  const bytes = new Uint8Array(getAsset(KOFFI_ASSET));
  const digest = sha256(bytes);
  const path = koffiAddonPath(digest);
  const dir = join(path, '..');
  ensurePrivateDir(dir);
  if (process.platform !== 'win32') chmodSync(dir, 0o700);
  if (fileDigest(path) !== digest) {
    const temp = `${path}.${process.pid}.tmp`;
    writeFileSync(temp, bytes, { mode: 0o600 });
    renameSync(temp, path);
  }
  if (fileDigest(path) !== digest) {
    rmSync(path, { force: true });
    throw new Error(`koffi addon: ${path} does not match the executable's copy`);
  }
  const addon: { exports: unknown } = { exports: {} };
  process.dlopen(addon, path);
  return addon.exports;
}
