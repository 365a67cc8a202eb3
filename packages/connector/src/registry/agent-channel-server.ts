import { chmodSync, existsSync, lstatSync, mkdirSync, rmSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { dirname } from 'node:path';
import type { FastifyBaseLogger } from 'fastify';
import type { PeerUserLookup } from '../os/peer-user/index.js';
import { AgentTable, type LiveAgent } from './agent-table.js';
import { describeChannel, type RegistryChannel } from './channel-address.js';
import { channelPeer } from './channel-peer.js';
import { agentMessage, onMessages, send, type AgentMessage } from './channel.js';
import { excludedPortRanges, pickAgentPort, type PortRange } from './port-range.js';
import { usernameOf } from './username.js';

const CLIPBOARD_ANSWER_MS = 2000;

/** True when something accepts connections on the Unix socket at `path`. */
function answers(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = connect(path);
    probe.once('connect', () => { probe.destroy(); resolve(true); });
    probe.once('error', () => resolve(false));
  });
}

function listenOn(server: Server, channel: RegistryChannel): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    if (channel.kind === 'unix') server.listen(channel.path, () => resolve());
    else server.listen({ host: '127.0.0.1', port: channel.port, exclusive: true }, () => resolve());
  });
}

/**
 * The Registry's side of the agent channel: a Unix socket (Linux, macOS) or a port on 127.0.0.1
 * (Windows) every user may connect to. The OS says who connected (peer credentials, or the
 * socket table's owner of the far end); an agent registers for that user only, gets a port
 * from the range, and counts as live once the port it listens on is verified to be its user's.
 * A closed connection (the agent died) drops it from the table.
 */
export class AgentChannelServer {
  readonly agents = new AgentTable();
  private server: Server | undefined;
  private assigning: Promise<unknown> = Promise.resolve();
  private nextCheck = 0;
  private readonly pendingChecks = new Map<number, { socket: Socket; resolve: (matches: boolean) => void }>();

  constructor(private readonly options: { channel: RegistryChannel; ports: PortRange; lookup: PeerUserLookup; log: FastifyBaseLogger }) {}

  async listen(): Promise<void> {
    const { channel } = this.options;
    if (channel.kind === 'tcp') {
      const server = createServer((socket) => { void this.accept(socket); });
      // A port, unlike a path, cannot be checked for a dead Registry's leftovers: taken is taken.
      await listenOn(server, channel).catch((error: unknown) => {
        const code = error instanceof Error && 'code' in error ? error.code : undefined;
        if (code === 'EADDRINUSE' || code === 'EACCES') throw new Error(`another Registry (or another program) has the channel port ${describeChannel(channel)} (${String(code)}); pick another with --channel-port`);
        throw error;
      });
      this.server = server;
      return;
    }
    const socketPath = channel.path;
    mkdirSync(dirname(socketPath), { recursive: true, mode: 0o755 });
    // A socket file left by a Registry that died; anything else at that path is not ours to remove.
    if (existsSync(socketPath)) {
      if (!lstatSync(socketPath).isSocket()) throw new Error(`${socketPath} exists and is not a socket`);
      if (await answers(socketPath)) throw new Error(`another Registry is running on ${socketPath}`);
      rmSync(socketPath);
    }
    const server = createServer((socket) => { void this.accept(socket); });
    await listenOn(server, channel);
    // Every user's agent must be able to connect; who it is comes from the kernel, not the path.
    chmodSync(socketPath, 0o666);
    this.server = server;
  }

  private async accept(socket: Socket): Promise<void> {
    socket.on('error', () => undefined);
    const user = await channelPeer(socket, this.options.channel, this.options.lookup);
    if (user === undefined) {
      socket.destroy();
      return;
    }
    const username = await usernameOf(user);
    socket.once('close', () => {
      const gone = this.agents.removeBySocket(socket);
      if (gone) this.options.log.info({ username: gone.username, port: gone.port }, 'agent left');
      for (const [id, check] of this.pendingChecks) if (check.socket === socket) { this.pendingChecks.delete(id); check.resolve(false); }
    });
    onMessages(socket, agentMessage, (message) => { void this.handle(socket, user, username, message); });
  }

  private async handle(socket: Socket, user: string, username: string, message: AgentMessage): Promise<void> {
    if (message.type === 'register') {
      const run = this.assigning.then(() => this.register(socket, user, username, message.pid, message.port));
      this.assigning = run.catch(() => undefined);
      await run;
      return;
    }
    const agent = this.agentOn(socket);
    if (message.type === 'ready') {
      if (!agent || agent.port !== message.port || (await this.options.lookup.ownerOfListener(message.port)) !== user) {
        send(socket, { type: 'refused', reason: `port ${message.port} is not listened on by this user's agent` });
        socket.end();
        return;
      }
      agent.ready = true;
      agent.sandboxPid = message.sandboxPid;
      send(socket, { type: 'live', port: agent.port });
      this.options.log.info({ username: agent.username, port: agent.port }, 'agent ready');
      return;
    }
    const check = this.pendingChecks.get(message.id);
    if (check?.socket === socket) {
      this.pendingChecks.delete(message.id);
      check.resolve(message.matches);
    }
  }

  private agentOn(socket: Socket): LiveAgent | undefined {
    return this.agents.all().find((a) => a.socket === socket);
  }

  private async register(socket: Socket, user: string, username: string, pid: number, wanted: number | undefined): Promise<void> {
    if (this.agents.has(user)) {
      send(socket, { type: 'refused', reason: `an agent of ${username} is already registered` });
      socket.end();
      return;
    }
    const { ports } = this.options;
    // After a Registry restart an agent keeps its port, if that port is in the range, free in
    // the table and really listened on by this user (else anyone could claim another's port).
    if (wanted !== undefined && wanted >= ports.from && wanted <= ports.to && !this.agents.ports().has(wanted)
      && (await this.options.lookup.ownerOfListener(wanted)) === user) {
      this.agents.add({ user, username, pid, socket, port: wanted, sandboxPid: undefined, ready: true, registeredAt: new Date(), lastUsed: new Date() });
      send(socket, { type: 'accepted', port: wanted });
      send(socket, { type: 'live', port: wanted });
      this.options.log.info({ username, port: wanted }, 'agent registered again');
      return;
    }
    const port = await pickAgentPort(ports, this.agents.ports(), await excludedPortRanges());
    if (port === undefined) {
      send(socket, { type: 'refused', reason: `no free port left in ${ports.from}-${ports.to}` });
      socket.end();
      return;
    }
    if (socket.destroyed) return;
    this.agents.add({ user, username, pid, socket, port, sandboxPid: undefined, ready: false, registeredAt: new Date(), lastUsed: new Date() });
    send(socket, { type: 'assigned', port });
  }

  /** Asks every live agent whether its user's clipboard holds `codeWord`; the ones that say yes. */
  async agentsWithClipboard(codeWord: string): Promise<LiveAgent[]> {
    const answers = await Promise.all(this.agents.ready().map(async (agent) => {
      const id = this.nextCheck++;
      const matches = await new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => { this.pendingChecks.delete(id); resolve(false); }, CLIPBOARD_ANSWER_MS);
        this.pendingChecks.set(id, { socket: agent.socket, resolve: (m) => { clearTimeout(timer); resolve(m); } });
        send(agent.socket, { type: 'clipboard-check', id, codeWord });
      });
      return matches ? agent : undefined;
    }));
    return answers.filter((a): a is LiveAgent => a !== undefined);
  }

  async close(): Promise<void> {
    for (const agent of this.agents.all()) agent.socket.destroy();
    const server = this.server;
    if (!server) return;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    // Only the socket this Registry made; whatever else sits at the path is not ours.
    if (this.options.channel.kind === 'unix') rmSync(this.options.channel.path, { force: true });
  }
}
