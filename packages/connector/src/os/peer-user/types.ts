/** One end of a TCP connection as Node reports it (`socket.localAddress`, `socket.remotePort`…). */
export interface TcpEndpoint {
  readonly address: string;
  readonly port: number;
}

/** A TCP connection accepted by this process: `server` is our end, `client` the peer's. */
export interface LoopbackConnection {
  readonly server: TcpEndpoint;
  readonly client: TcpEndpoint;
}

/** An OS user as the OS names it: `uid:1000` on Linux and macOS, a SID string on Windows. */
export type OsUserId = string;

/**
 * Who owns the other end of a loopback TCP connection. Each OS answers from its own socket
 * table; `undefined` means the connection was not found (or belongs to a process this user
 * may not inspect), which callers treat as "not the same user".
 */
export interface PeerUserLookup {
  ownerOf(connection: LoopbackConnection): Promise<OsUserId | undefined>;
  /** Who listens on 127.0.0.1:port (or a wildcard address); undefined when nobody we can see. */
  ownerOfListener(port: number): Promise<OsUserId | undefined>;
  /** The user this process runs as, in the same notation. */
  currentUser(): OsUserId;
}

export function unixUser(uid: number): OsUserId {
  return `uid:${uid}`;
}

/** `uid:1000` → 1000; anything else → undefined. */
export function uidOf(user: OsUserId): number | undefined {
  const m = /^uid:(\d+)$/.exec(user);
  return m ? Number(m[1]) : undefined;
}
