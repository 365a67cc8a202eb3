import type { Socket } from 'node:net';
import type { OsUserId, PeerUserLookup } from './types.js';

/**
 * Decides once per TCP connection whether its peer is one of the allowed OS users (the user
 * this process runs as, plus a Registry's service user for agents). Keep-alive requests on
 * the same connection reuse the answer; a connection we cannot attribute is refused.
 */
export class SameUserGuard {
  private readonly decided = new WeakMap<Socket, Promise<OsUserId | undefined>>();
  private readonly allowed: Set<OsUserId>;

  constructor(private readonly lookup: PeerUserLookup, allowed: readonly OsUserId[] = []) {
    this.allowed = new Set([lookup.currentUser(), ...allowed]);
  }

  /** Adds a user whose connections are accepted too (the Registry that forwards for ours). */
  allow(user: OsUserId): void {
    this.allowed.add(user);
  }

  /** The OS user behind `socket`, or undefined when it cannot be told. */
  ownerOf(socket: Socket): Promise<OsUserId | undefined> {
    let owner = this.decided.get(socket);
    if (!owner) {
      const { localAddress, localPort, remoteAddress, remotePort } = socket;
      owner = localAddress && localPort && remoteAddress && remotePort
        ? this.lookup.ownerOf({ server: { address: localAddress, port: localPort }, client: { address: remoteAddress, port: remotePort } }).catch(() => undefined)
        : Promise.resolve(undefined);
      this.decided.set(socket, owner);
    }
    return owner;
  }

  async allows(socket: Socket): Promise<boolean> {
    const owner = await this.ownerOf(socket);
    return owner !== undefined && this.allowed.has(owner);
  }
}
