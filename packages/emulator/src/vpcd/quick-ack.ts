import type { Socket } from 'node:net';
import koffi from 'koffi';

/**
 * Linux delays ACKs up to 40 ms; vpcd waits for the ACK of each frame before it sends the
 * next, so without TCP_QUICKACK every APDU costs the delayed-ACK timer (beid-card.md §8.4).
 * The flag is not sticky — the kernel clears it — so it is set again after every read.
 * Node has no API for it, hence setsockopt through FFI; any failure just leaves it unset.
 */
const IPPROTO_TCP = 6;
const TCP_QUICKACK = 12;

type SetSockOpt = (fd: number, level: number, name: number, value: Int32Array, length: number) => number;
let setsockopt: SetSockOpt | null | undefined;

function load(): SetSockOpt | null {
  if (setsockopt !== undefined) return setsockopt;
  setsockopt = null;
  if (process.platform !== 'linux') return null;
  try {
    const libc = koffi.load('libc.so.6');
    setsockopt = libc.func('int setsockopt(int fd, int level, int name, const void *value, uint32_t length)') as SetSockOpt;
  } catch {
    setsockopt = null;
  }
  return setsockopt;
}

const ONE = Int32Array.of(1);

function socketFd(socket: Socket): number | undefined {
  const fd = (socket as unknown as { _handle?: { fd?: number } })._handle?.fd;
  return typeof fd === 'number' && fd >= 0 ? fd : undefined;
}

/** True when the option was set. */
export function setQuickAck(socket: Socket): boolean {
  // Off switch for measuring what the flag buys (bench scripts).
  if (process.env.T1C_VPCD_NO_QUICKACK === '1') return false;
  const fd = socketFd(socket);
  const call = load();
  if (fd === undefined || !call) return false;
  try {
    return call(fd, IPPROTO_TCP, TCP_QUICKACK, ONE, 4) === 0;
  } catch {
    return false;
  }
}
