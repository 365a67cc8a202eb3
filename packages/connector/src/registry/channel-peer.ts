import type { Socket } from 'node:net';
import { unixUser, type LoopbackConnection, type OsUserId, type PeerUserLookup } from '../os/peer-user/index.js';
import type { RegistryChannel } from './channel-address.js';
import { unixPeerUid } from './unix-peer-credentials.js';

/**
 * The far end of a connected TCP socket as the lookups want it: `client` is the end whose owner
 * we ask for. Both sides use it: the Registry asks who the agent is, the agent who the Registry is.
 */
export function farEndOf(socket: Socket): LoopbackConnection | undefined {
  const { localAddress, localPort, remoteAddress, remotePort } = socket;
  if (!localAddress || !localPort || !remoteAddress || !remotePort) return undefined;
  return { server: { address: localAddress, port: localPort }, client: { address: remoteAddress, port: remotePort } };
}

/**
 * Who is at the other end of a channel connection, in the OS's own word: the Unix socket's
 * peer credentials, or for TCP the owner of the far end's row in the socket table (Windows:
 * owning PID → token SID; Wine and Linux: the row's uid). Never anything the peer says.
 */
export async function channelPeer(socket: Socket, channel: RegistryChannel, lookup: PeerUserLookup | undefined): Promise<OsUserId | undefined> {
  if (channel.kind === 'unix') {
    const uid = await unixPeerUid(socket).catch(() => undefined);
    return uid === undefined ? undefined : unixUser(uid);
  }
  const end = farEndOf(socket);
  if (!end || !lookup) return undefined;
  return lookup.ownerOf(end).catch(() => undefined);
}
