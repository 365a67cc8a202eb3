import { realpathSync, statSync, type Stats } from 'node:fs';
import { dirname, isAbsolute, relative, sep } from 'node:path';
import { SmartCardError } from '../errors.js';

/** The three keys of T1C's `pkcs11/config` body, one library path per OS (t1c-api.md §2.6). */
export type Pkcs11Os = 'linux' | 'macos' | 'win';

/**
 * Where PKCS#11 libraries are installed by packages and vendor installers. A library is loaded
 * into the sandbox with the user's rights, so a path anyone can write to would be a way to run
 * code as that user: only these directories, plus ones the user configures, are accepted.
 */
const KNOWN_DIRECTORIES: Record<Pkcs11Os, readonly string[]> = {
  linux: ['/usr/lib', '/usr/lib64', '/usr/local/lib', '/usr/local/lib64', '/lib', '/lib64'],
  macos: ['/Library', '/usr/local/lib', '/opt/homebrew/lib', '/usr/lib'],
  win: ['C:\\Windows\\System32', 'C:\\Program Files', 'C:\\Program Files (x86)'],
};

export function currentOs(platform: NodeJS.Platform = process.platform): Pkcs11Os {
  return platform === 'win32' ? 'win' : platform === 'darwin' ? 'macos' : 'linux';
}

export function knownLibraryDirectories(os: Pkcs11Os = currentOs()): readonly string[] {
  return KNOWN_DIRECTORIES[os];
}

function refused(path: string, reason: string): SmartCardError {
  return new SmartCardError('PKCS11_LIBRARY_REFUSED', `PKCS#11 library ${JSON.stringify(path)} refused: ${reason}`, { reason });
}

function within(directory: string, path: string): boolean {
  const rel = relative(directory, path);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
}

function statOrUndefined(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

/** Windows has no mode bits worth reading here; its ACLs are left to the installer's directories. */
function worldWritable(stats: Stats): boolean {
  return process.platform !== 'win32' && (stats.mode & 0o002) !== 0;
}

/**
 * Decides whether a library path may be opened, before anything is loaded. Returns the real path
 * (symbolic links resolved) to load. Refuses relative paths, paths outside the known and the
 * configured directories (before and after resolving links), and world-writable files or
 * directories between the allowed directory and the file. A path that does not exist is
 * PKCS11_LIBRARY_MISSING, so "not installed" and "not allowed" stay apart.
 */
export function checkLibraryPath(path: string, configuredDirectories: readonly string[] = []): string {
  if (path.length === 0 || path.includes('\0')) throw refused(path, 'not a path');
  if (!isAbsolute(path)) throw refused(path, 'a relative path');
  const directories = [...knownLibraryDirectories(), ...configuredDirectories.filter((d) => isAbsolute(d))];
  const lexicalRoot = directories.find((d) => within(d, path));
  if (!lexicalRoot) throw refused(path, `outside the allowed directories (${directories.join(', ')})`);
  const stats = statOrUndefined(path);
  if (!stats) throw new SmartCardError('PKCS11_LIBRARY_MISSING', `PKCS#11 library ${JSON.stringify(path)} is not installed`);
  if (!stats.isFile()) throw refused(path, 'not a regular file');
  const real = realpathSync(path);
  const realRoots = directories.map((d) => {
    try {
      return realpathSync(d);
    } catch {
      return d;
    }
  });
  const root = realRoots.find((d) => within(d, real));
  if (!root) throw refused(path, `links to ${real}, outside the allowed directories`);
  if (worldWritable(statSync(real))) throw refused(path, 'the file is writable by every user');
  for (let dir = dirname(real); ; dir = dirname(dir)) {
    const dirStats = statOrUndefined(dir);
    if (dirStats && worldWritable(dirStats)) {
      throw refused(path, `directory ${dir} is writable by every user`);
    }
    if (dir === root || !dir.includes(sep) || dirname(dir) === dir) break;
  }
  return real;
}
