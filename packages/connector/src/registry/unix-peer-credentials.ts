import type { Socket } from 'node:net';

interface Getter {
  uidOf(fd: number): number | undefined;
}

let getter: Promise<Getter> | undefined;

/**
 * The kernel's word on who is at the other end of a Unix socket: SO_PEERCRED on Linux,
 * getpeereid on macOS, through koffi (Node has no API for it). Chosen over parsing
 * `ss -xp` or /proc/net/unix + /proc/<pid>/fd because it asks the socket itself: no
 * scan of other users' processes (which needs root), no race with a PID being reused.
 */
async function loadGetter(): Promise<Getter> {
  const koffi = (await import('koffi')).default;
  if (process.platform === 'linux') {
    const libc = koffi.load('libc.so.6');
    const getsockopt = libc.func('int getsockopt(int fd, int level, int name, _Out_ uint8_t *value, _Inout_ uint32_t *length)');
    const SOL_SOCKET = 1;
    const SO_PEERCRED = 17;
    return {
      uidOf(fd) {
        const ucred = Buffer.alloc(12); // struct ucred { pid_t pid; uid_t uid; gid_t gid; }
        const length = [12];
        if ((getsockopt(fd, SOL_SOCKET, SO_PEERCRED, ucred, length) as number) !== 0) return undefined;
        return ucred.readUInt32LE(4);
      },
    };
  }
  if (process.platform === 'darwin') {
    const libc = koffi.load('libSystem.B.dylib');
    const getpeereid = libc.func('int getpeereid(int fd, _Out_ uint32_t *uid, _Out_ uint32_t *gid)');
    return {
      uidOf(fd) {
        const uid = [0];
        return (getpeereid(fd, uid, [0]) as number) === 0 ? uid[0] : undefined;
      },
    };
  }
  throw new Error(`peer credentials of a Unix socket are not available on ${process.platform}`);
}

function fdOf(socket: Socket): number | undefined {
  // libuv's pipe handle carries the descriptor; Node exposes no public accessor for it.
  const handle: unknown = (socket as unknown as { _handle?: unknown })._handle;
  if (typeof handle !== 'object' || handle === null || !('fd' in handle)) return undefined;
  const fd = handle.fd;
  return typeof fd === 'number' && fd >= 0 ? fd : undefined;
}

/** The uid of the process at the other end of `socket` (a connected Unix socket). */
export async function unixPeerUid(socket: Socket): Promise<number | undefined> {
  getter ??= loadGetter();
  const fd = fdOf(socket);
  return fd === undefined ? undefined : (await getter).uidOf(fd);
}
