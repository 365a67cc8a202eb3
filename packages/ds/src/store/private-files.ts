import { chmodSync, lstatSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Owner-only modes for a tree the DS owns (the embedded database): files 0600, folders 0700.
 * PGlite unpacks its initial cluster with world-writable modes whatever the umask; files it
 * creates afterwards follow the process umask, which openPglite sets to 077.
 */
export function restrictTree(root: string): void {
  const walk = (path: string): void => {
    const st = lstatSync(path);
    if (st.isSymbolicLink()) return;
    if (st.isDirectory()) {
      if ((st.mode & 0o777) !== 0o700) chmodSync(path, 0o700);
      for (const name of readdirSync(path)) walk(join(path, name));
    } else if ((st.mode & 0o777) !== 0o600) {
      chmodSync(path, 0o600);
    }
  };
  walk(root);
}
