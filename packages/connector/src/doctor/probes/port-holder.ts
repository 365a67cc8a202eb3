import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import type { PortHolder } from '../types.js';

const LISTEN = '0A';

/** Socket inodes listening on `port` in one /proc/net/tcp* table. */
export function listeningInodes(table: string, port: number): number[] {
  return listeningSockets(table, port).map((s) => s.inode);
}

/** Listening sockets on `port` with the uid that owns each (readable by anyone, unlike /proc/PID/fd). */
export function listeningSockets(table: string, port: number): { inode: number; uid: number }[] {
  const sockets: { inode: number; uid: number }[] = [];
  for (const line of table.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    const local = f[1];
    if (local === undefined || f[3] !== LISTEN) continue;
    const localPort = Number.parseInt(local.slice(local.lastIndexOf(':') + 1), 16);
    const inode = Number(f[9]);
    if (localPort === port && Number.isInteger(inode) && inode > 0) sockets.push({ inode, uid: Number(f[7]) });
  }
  return sockets;
}

const readOr = (path: string): string | undefined => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
};

/**
 * Which process listens on a TCP port (Linux): the socket's inode from /proc/net/tcp{,6},
 * then the process whose fd points at it. Processes of other users are seen only as root,
 * so an unknown holder is reported as such rather than guessed.
 */
export function linuxPortHolders(procRoot: string, port: number): { socketUids: number[]; holders: PortHolder[] } {
  const sockets = [...listeningSockets(readOr(join(procRoot, 'net', 'tcp')) ?? '', port), ...listeningSockets(readOr(join(procRoot, 'net', 'tcp6')) ?? '', port)];
  const inodes = new Set(sockets.map((s) => s.inode));
  const socketUids = [...new Set(sockets.map((s) => s.uid))];
  const holders: PortHolder[] = [];
  if (inodes.size === 0) return { socketUids, holders };
  for (const entry of readdirSync(procRoot)) {
    if (!/^\d+$/.test(entry)) continue;
    let fds: string[];
    try {
      fds = readdirSync(join(procRoot, entry, 'fd'));
    } catch {
      continue;
    }
    const holds = fds.some((fd) => {
      try {
        const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(join(procRoot, entry, 'fd', fd)));
        return m?.[1] !== undefined && inodes.has(Number(m[1]));
      } catch {
        return false;
      }
    });
    if (!holds) continue;
    const status = readOr(join(procRoot, entry, 'status')) ?? '';
    const uid = Number(/^Uid:\s+(\d+)/m.exec(status)?.[1] ?? -1);
    const command = (readOr(join(procRoot, entry, 'cmdline')) ?? '').split('\0').filter((s) => s.length > 0).join(' ');
    holders.push({ pid: Number(entry), uid, command });
  }
  return { socketUids, holders };
}
