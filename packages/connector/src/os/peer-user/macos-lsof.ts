import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { canonicalAddress } from './address.js';
import { unixUser, type LoopbackConnection, type OsUserId, type PeerUserLookup } from './types.js';

/** One open TCP socket from `lsof -F pun`: the process, its user and `local->remote`. */
export interface LsofSocket {
  readonly pid: number;
  readonly uid: number;
  readonly name: string;
}

/** Parses `lsof -F pun` output: `p<pid>`, `u<uid>`, then one `n<name>` per file. */
export function parseLsofFields(text: string): LsofSocket[] {
  const sockets: LsofSocket[] = [];
  let pid: number | undefined;
  let uid: number | undefined;
  for (const line of text.split('\n')) {
    const tag = line.slice(0, 1);
    const value = line.slice(1);
    if (tag === 'p') { pid = Number(value); uid = undefined; }
    else if (tag === 'u') uid = Number(value);
    else if (tag === 'n' && pid !== undefined && uid !== undefined && Number.isInteger(pid) && Number.isInteger(uid)) sockets.push({ pid, uid, name: value });
  }
  return sockets;
}

function endpointText(address: string, port: number): string {
  const a = canonicalAddress(address);
  return a.includes(':') ? `[${a}]:${port}` : `${a}:${port}`;
}

export function ownerInLsof(sockets: readonly LsofSocket[], connection: LoopbackConnection): number | undefined {
  const wanted = `${endpointText(connection.client.address, connection.client.port)}->${endpointText(connection.server.address, connection.server.port)}`;
  return sockets.find((s) => s.name === wanted)?.uid;
}

const run = promisify(execFile);

/**
 * macOS: the socket's owner by lsof (proc_pidinfo underneath). lsof run by a normal user sees
 * only its own processes, so another user's connection is not found: refused, as it should be.
 */
export function macosPeerUserLookup(lsof = '/usr/sbin/lsof'): PeerUserLookup {
  return {
    async ownerOf(connection: LoopbackConnection): Promise<OsUserId | undefined> {
      const { stdout } = await run(lsof, ['-nP', `-iTCP@${connection.client.address.replace(/^::ffff:/i, '')}:${connection.client.port}`, '-F', 'pun'])
        .catch(() => ({ stdout: '' }));
      const uid = ownerInLsof(parseLsofFields(stdout), connection);
      return uid === undefined ? undefined : unixUser(uid);
    },
    async ownerOfListener(port: number): Promise<OsUserId | undefined> {
      const { stdout } = await run(lsof, ['-nP', `-iTCP:${port}`, '-sTCP:LISTEN', '-F', 'pun']).catch(() => ({ stdout: '' }));
      const socket = parseLsofFields(stdout).find((s) => /:(\d+)$/.exec(s.name)?.[1] === String(port));
      return socket === undefined ? undefined : unixUser(socket.uid);
    },
    currentUser: () => unixUser(process.getuid?.() ?? -1),
  };
}
