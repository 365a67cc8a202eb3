import { readFileSync } from 'node:fs';
import { linuxPeerUserLookup } from './linux-proc-net-tcp.js';
import { unixUser, type PeerUserLookup } from './types.js';

/** Wine maps the Linux root to this drive by default; reached through Wine's own file calls. */
const LINUX_ROOT = 'Z:/';

/**
 * Whether this Windows process runs under Wine. Asked of ntdll itself (only Wine's exports
 * `wine_get_version`), never of the file system, which a removable drive could fake.
 */
export async function runningUnderWine(): Promise<boolean> {
  try {
    const koffi = (await import('koffi')).default;
    koffi.load('ntdll.dll').func('const char * __cdecl wine_get_version()');
    return true;
  } catch {
    return false;
  }
}

/** `Uid:` of /proc/self/status: the real uid of this (Linux) process. */
export function realUidFromStatus(status: string): number | undefined {
  const m = /^Uid:\s+(\d+)/m.exec(status);
  return m ? Number(m[1]) : undefined;
}

/**
 * Under Wine the users that matter are Linux users (every Wine process carries the same made-up
 * SID, and a Linux-side client has no Windows process at all): the Linux socket table answers,
 * read through Wine's view of the Linux root.
 */
export function winePeerUserLookup(root = LINUX_ROOT): PeerUserLookup {
  const linux = linuxPeerUserLookup(`${root}proc/net`);
  let own: number | undefined;
  return {
    ownerOf: (connection) => linux.ownerOf(connection),
    ownerOfListener: (port) => linux.ownerOfListener(port),
    currentUser: () => {
      own ??= realUidFromStatus(readFileSync(`${root}proc/self/status`, 'utf8'));
      return own === undefined ? 'unknown' : unixUser(own);
    },
  };
}
