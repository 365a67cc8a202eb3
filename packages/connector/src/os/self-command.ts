import { isSea } from 'node:sea';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * How this program starts another copy of itself (the sandbox child). A single executable is
 * its own entry, `process.execPath`; from sources it is Node running `bin/t1c.js`.
 */
export function selfCommand(args: readonly string[]): { command: string; args: string[] } {
  if (isSea()) return { command: process.execPath, args: [...args] };
  return { command: process.execPath, args: [fileURLToPath(new URL('../../bin/t1c.js', import.meta.url)), ...args] };
}

/** Where the program is installed (`/info` installedDir): the executable's folder, or the connector package from sources. */
export function installedDirectory(): string {
  return isSea() ? dirname(process.execPath) : fileURLToPath(new URL('../../', import.meta.url));
}
