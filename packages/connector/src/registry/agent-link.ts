import { lstatSync, statSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { dirname } from 'node:path';
import { uidOf, unixUser, type OsUserId, type PeerUserLookup } from '../os/peer-user/index.js';
import { describeChannel, type RegistryChannel } from './channel-address.js';
import { channelPeer } from './channel-peer.js';
import { onMessages, registryMessage, send, type RegistryMessage } from './channel.js';
import { clipboardMatches, type ClipboardReader } from './clipboard.js';
import { tcpRegistryTrusted } from './tcp-registry-trust.js';

export interface AgentLinkOptions {
  readonly channel: RegistryChannel;
  /** Names the owner of the Registry's end of a TCP channel (and this process's own user). */
  readonly lookup: PeerUserLookup | undefined;
  readonly clipboard: ClipboardReader;
  /** The Registry's OS user, once the kernel named it: its forwarded connections are accepted. */
  readonly onRegistryUser: (user: OsUserId) => void;
  readonly log: (level: 'info' | 'warn', message: string) => void;
}

const RETRY_MIN_MS = 100;
const RETRY_MAX_MS = 2000;

/**
 * Only a Registry that the machine's administrator put there is trusted to forward requests:
 * its socket must sit in a directory that only root or the Registry's own user can write, and
 * be owned by the process that answers on it. A user who plants a socket in /tmp is not it.
 */
export function registryTrusted(socketPath: string, registryUid: number, ownUid: number): boolean {
  const dir = statSync(dirname(socketPath));
  const socket = lstatSync(socketPath);
  const dirSafe = (dir.uid === 0 || dir.uid === registryUid) && (dir.mode & 0o022) === 0;
  return socket.isSocket() && (socket.uid === registryUid || registryUid === ownUid) && dirSafe;
}

/**
 * Whether the Registry that answered is one to register with: for a Unix socket its path's
 * owner and directory, for TCP the account owning the Registry's end of the connection.
 */
export function channelTrusted(channel: RegistryChannel, registryUser: OsUserId, ownUser: OsUserId): boolean {
  if (channel.kind === 'tcp') return tcpRegistryTrusted(registryUser, ownUser);
  const registryUid = uidOf(registryUser);
  const ownUid = uidOf(ownUser) ?? -1;
  return registryUid !== undefined && registryTrusted(channel.path, registryUid, ownUid);
}

/**
 * `t1c api --registry`: this user's API as an agent. It registers over the Registry's channel
 * (Unix socket, or TCP on Windows), gets its port, tells the Registry once it listens, answers
 * clipboard checks with yes/no (the clipboard never leaves this process), and registers again
 * by itself whenever the Registry restarts.
 */
export class AgentLink {
  private socket: Socket | undefined;
  private port: number | undefined;
  private sandboxPid: number | undefined;
  private closed = false;
  private retryMs = RETRY_MIN_MS;
  private retryTimer: NodeJS.Timeout | undefined;

  private constructor(private readonly options: AgentLinkOptions) {}

  /** Connects and registers; resolves with the port to listen on (retries until a Registry answers). */
  static start(options: AgentLinkOptions): Promise<{ link: AgentLink; port: number }> {
    const link = new AgentLink(options);
    return new Promise((resolve, reject) => {
      link.connect((message) => {
        if (message.type === 'assigned' || message.type === 'accepted') resolve({ link, port: message.port });
        else if (message.type === 'refused') reject(new Error(`the Registry refused this agent: ${message.reason}`));
      });
    });
  }

  /** Tells the Registry this agent listens on its port now. */
  ready(port: number, sandboxPid: number | undefined): void {
    this.port = port;
    this.sandboxPid = sandboxPid;
    if (this.socket) send(this.socket, { type: 'ready', port, ...(sandboxPid ? { sandboxPid } : {}) });
  }

  private connect(onFirst?: (message: RegistryMessage) => void): void {
    if (this.closed) return;
    const { channel } = this.options;
    const socket = channel.kind === 'unix' ? connect(channel.path) : connect({ host: '127.0.0.1', port: channel.port });
    let registered = false;
    socket.once('connect', () => { void this.hello(socket); });
    socket.on('error', () => undefined);
    socket.once('close', () => {
      if (this.socket === socket) this.socket = undefined;
      if (this.closed) return;
      if (registered) this.options.log('warn', 'the Registry went away; registering again when it is back');
      this.retryTimer = setTimeout(() => this.connect(onFirst), this.retryMs);
      this.retryMs = Math.min(this.retryMs * 2, RETRY_MAX_MS);
    });
    onMessages(socket, registryMessage, (message) => {
      if (message.type === 'clipboard-check') {
        void this.options.clipboard.read().then((text) => send(socket, { type: 'clipboard-answer', id: message.id, matches: clipboardMatches(text, message.codeWord) }));
        return;
      }
      if (message.type === 'live') return;
      if (message.type === 'refused') {
        this.options.log('warn', `the Registry refused this agent: ${message.reason}`);
      } else if (!registered) {
        registered = true;
        this.retryMs = RETRY_MIN_MS;
        if (this.port !== undefined && message.type === 'assigned' && message.port !== this.port) {
          // Listening elsewhere already; a Registry that cannot give our port back gets nothing else.
          this.options.log('warn', `the Registry offered port ${message.port}, this agent listens on ${this.port}; retrying`);
          socket.destroy();
          return;
        }
        if (this.port !== undefined && message.type === 'assigned') this.ready(this.port, this.sandboxPid);
        else if (this.port !== undefined) this.options.log('info', `registered again with the Registry on port ${this.port}`);
      }
      if (onFirst) {
        const first = onFirst;
        onFirst = undefined;
        first(message);
      }
    });
  }

  private async hello(socket: Socket): Promise<void> {
    const { channel, lookup } = this.options;
    const registryUser = await channelPeer(socket, channel, lookup);
    const ownUser = lookup?.currentUser() ?? unixUser(process.getuid?.() ?? -1);
    if (registryUser === undefined || !channelTrusted(channel, registryUser, ownUser)) {
      const why = channel.kind === 'unix' ? 'owner or directory permissions' : `it runs as ${registryUser ?? 'an account this user cannot see'}, not SYSTEM, LocalService, NetworkService, root or this user`;
      this.options.log('warn', `${describeChannel(channel)} is not a Registry this machine's administrator set up (${why}); not registering`);
      socket.destroy();
      return;
    }
    this.options.onRegistryUser(registryUser);
    this.socket = socket;
    send(socket, { type: 'register', pid: process.pid, ...(this.port !== undefined ? { port: this.port } : {}) });
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.retryTimer);
    this.socket?.destroy();
  }
}
