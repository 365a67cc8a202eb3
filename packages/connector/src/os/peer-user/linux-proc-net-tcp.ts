import { readFileSync } from 'node:fs';
import { endianness } from 'node:os';
import { addressFromBytes, sameEndpoint } from './address.js';
import { unixUser, type LoopbackConnection, type OsUserId, type PeerUserLookup, type TcpEndpoint } from './types.js';

/** One row of /proc/net/tcp or /proc/net/tcp6. */
export interface ProcTcpRow {
  readonly local: TcpEndpoint;
  readonly remote: TcpEndpoint;
  readonly state: number;
  readonly uid: number;
  readonly inode: number;
}

/** The kernel prints each 32-bit word of an address in host byte order. */
function addressFromProcHex(hex: string, littleEndian: boolean): string {
  if (!/^(?:[0-9A-Fa-f]{8}){1,4}$/.test(hex) || hex.length === 24) throw new Error(`not a /proc/net/tcp address: ${hex}`);
  const bytes = Buffer.alloc(hex.length / 2);
  for (let word = 0; word < hex.length / 8; word += 1) {
    const value = parseInt(hex.slice(word * 8, word * 8 + 8), 16);
    if (littleEndian) bytes.writeUInt32LE(value, word * 4);
    else bytes.writeUInt32BE(value, word * 4);
  }
  return addressFromBytes(bytes);
}

function endpointFromProc(field: string, littleEndian: boolean): TcpEndpoint {
  const [hex, port] = field.split(':');
  if (hex === undefined || port === undefined || !/^[0-9A-Fa-f]{4}$/.test(port)) throw new Error(`not a /proc/net/tcp endpoint: ${field}`);
  return { address: addressFromProcHex(hex, littleEndian), port: parseInt(port, 16) };
}

/** Parses the text of /proc/net/tcp{,6}; the header line and blank lines are skipped. */
export function parseProcNetTcp(text: string, littleEndian = endianness() === 'LE'): ProcTcpRow[] {
  const rows: ProcTcpRow[] = [];
  for (const line of text.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 10) continue;
    const [, local, remote, state, , , , uid, , inode] = f;
    if (local === undefined || remote === undefined || state === undefined || uid === undefined || inode === undefined) continue;
    rows.push({
      local: endpointFromProc(local, littleEndian),
      remote: endpointFromProc(remote, littleEndian),
      state: parseInt(state, 16),
      uid: Number(uid),
      inode: Number(inode),
    });
  }
  return rows;
}

/** The client's own row: its local end is the peer we saw, its remote end is us. */
export function ownerInRows(rows: readonly ProcTcpRow[], connection: LoopbackConnection): number | undefined {
  const row = rows.find((r) => sameEndpoint(r.local, connection.client) && sameEndpoint(r.remote, connection.server));
  return row?.uid;
}

const TCP_LISTEN = 0x0a;
const LISTEN_ADDRESSES = ['127.0.0.1', '0.0.0.0', '::', '::1'];

export function listenerInRows(rows: readonly ProcTcpRow[], port: number): number | undefined {
  return rows.find((r) => r.state === TCP_LISTEN && r.local.port === port && LISTEN_ADDRESSES.includes(r.local.address))?.uid;
}

/**
 * Read synchronously on purpose: /proc is memory, not disk, and an answer in the same turn of
 * the event loop means a client that half-closes right after its request (HTTP/1.0 tools) still
 * gets its answer instead of Node closing the socket first.
 */
function table(procNet: string, file: string): ProcTcpRow[] {
  try {
    return parseProcNetTcp(readFileSync(`${procNet}/${file}`, 'utf8'));
  } catch {
    return [];
  }
}

/**
 * Linux: the socket tables of this network namespace. Each row carries the uid that owns the
 * socket, so the peer's row names its user with no need to look at its process.
 */
export function linuxPeerUserLookup(procNet = '/proc/net'): PeerUserLookup {
  return {
    async ownerOf(connection: LoopbackConnection): Promise<OsUserId | undefined> {
      const files = connection.client.address.includes(':') && !/^::ffff:/i.test(connection.client.address) ? ['tcp6'] : ['tcp', 'tcp6'];
      for (const file of files) {
        const uid = ownerInRows(table(procNet, file), connection);
        if (uid !== undefined) return unixUser(uid);
      }
      return undefined;
    },
    async ownerOfListener(port: number): Promise<OsUserId | undefined> {
      for (const file of ['tcp', 'tcp6']) {
        const uid = listenerInRows(table(procNet, file), port);
        if (uid !== undefined) return unixUser(uid);
      }
      return undefined;
    },
    currentUser: () => unixUser(process.getuid?.() ?? -1),
  };
}
