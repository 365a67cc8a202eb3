import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createNetServer, type AddressInfo, type Socket } from 'node:net';
import { createSecureContext } from 'node:tls';
import { hostname } from 'node:os';
import Fastify from 'fastify';
import { z } from 'zod';
import { hostAllowed } from '@t1c/ds/client';
import { errorBody, T1CError } from '../api/errors.js';
import { SameUserGuard, systemPeerUserLookup, type OsUserId, type PeerUserLookup } from '../os/peer-user/index.js';
import { checkAllowOriginPatterns, checkOrigin } from '../security/cors.js';
import { ensurePrivateDir } from '../security/private-file.js';
import { AgentChannelServer } from './agent-channel-server.js';
import { agentRecord, type AgentRecord, type LiveAgent } from './agent-table.js';
import { ConsentSigner } from './consent.js';
import { registryInfo } from './info.js';
import { answerLocally } from './local-answer.js';
import { registryChannel, type RegistrySettings } from './settings.js';
import { spliceToAgent } from './splice.js';

export interface RunningRegistry {
  readonly url: string;
  readonly port: number;
  readonly settings: RegistrySettings;
  /** The live agents, as `/v3/agents` would list them to their own users. */
  agents(): AgentRecord[];
  close(): Promise<void>;
}

const DAY_MS = 86_400_000;

const consentBody = z.object({
  codeWord: z.string().min(1).max(512),
  durationInDays: z.number().int().min(1).max(3650).optional(),
  consents: z.array(z.string().max(8192)).max(64).optional(),
}).loose();
const validateBody = z.object({ consents: z.array(z.string().max(8192)).max(64) }).loose();

/** The Registry's certificate and key, checked to belong together before anything listens. */
function readTlsFiles(files: { cert: string; key: string }): { cert: Buffer; key: Buffer } {
  try {
    const pem = { cert: readFileSync(files.cert), key: readFileSync(files.key) };
    createSecureContext(pem);
    return pem;
  } catch (error) {
    throw new Error(`t1c registry: --tls-cert ${files.cert} / --tls-key ${files.key}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/**
 * `t1c registry`: the well-known port on a shared host. Each connection's OS user (from the TCP
 * socket tables) decides which agent is the caller's; in mode `ours` the connection is spliced
 * to it whole, in the consent modes the page is sent to the agent's own port (which refuses
 * other users itself).
 */
export async function startRegistry(settings: RegistrySettings, options: { lookup?: PeerUserLookup; logStream?: NodeJS.WritableStream } = {}): Promise<RunningRegistry> {
  checkAllowOriginPatterns(settings.allowOrigins);
  const lookup = options.lookup ?? (await systemPeerUserLookup());
  if (!lookup) throw new Error(`t1c registry: no way to tell the OS user of a connection on ${process.platform}`);
  if (settings.dataDir) ensurePrivateDir(settings.dataDir);
  const host = hostname();
  const signer = ConsentSigner.open(settings.dataDir, host);
  const callers = new SameUserGuard(lookup);
  // The port is known only after listen (with --port 0); the Host check reads it per request.
  const hosts: { scheme: 'http' | 'https'; names: string[]; port: number } = { scheme: 'http', names: [], port: settings.port };

  const callerOf = (req: IncomingMessage): Promise<OsUserId | undefined> => callers.ownerOf(req.socket);
  const ownAgent = async (socket: Socket): Promise<LiveAgent | undefined> => channel.agents.ofUser(await callers.ownerOf(socket));

  const pem = settings.tls ? readTlsFiles(settings.tls) : undefined;
  const secureContext = pem ? createSecureContext(pem) : undefined;
  if (secureContext) hosts.scheme = 'https';
  // Connections that reached no agent although the caller has one: answered 502, not 503.
  const unreachable = new WeakSet<object>();

  const fastify = Fastify({
    logger: { level: settings.logLevel, ...(options.logStream ? { stream: options.logStream } : {}) },
    bodyLimit: 64 * 1024,
    return503OnClosing: true,
    // In mode `ours` connections arrive through the front door below, TLS already unwrapped.
    serverFactory: (handler) => (settings.mode !== 'ours' && pem ? createHttpsServer(pem, handler) : createServer(handler)),
  });
  const channel = new AgentChannelServer({ channel: registryChannel(settings), ports: settings.agentPorts, lookup, log: fastify.log, registryPort: () => hosts.port || undefined });

  // Mode `ours`: each connection goes whole to its OS user's agent, chosen before a byte is read.
  const spliced = new Set<Socket>();
  const frontDoor = settings.mode !== 'ours' ? undefined : createNetServer({ pauseOnConnect: true }, (socket) => {
    socket.on('error', () => socket.destroy());
    spliced.add(socket);
    socket.once('close', () => spliced.delete(socket));
    void ownAgent(socket).then(async (agent) => {
      if (agent && await spliceToAgent(socket, agent.port)) {
        agent.lastUsed = new Date();
        return;
      }
      if (agent) unreachable.add(socket);
      answerLocally(socket, fastify.server, secureContext, (secure) => { if (agent) unreachable.add(secure); });
    }, () => socket.destroy());
  });

  fastify.setErrorHandler((error, _request, reply) => {
    const t1c = error instanceof T1CError ? error : new T1CError('INVALID_INPUT');
    void reply.code(t1c.status).header('content-type', 'application/json; charset=utf-8').send(errorBody(t1c));
  });
  fastify.addHook('onRequest', async (request, reply) => {
    reply.header('cache-control', 'no-store');
    // Mode ours answers here only a connection that reached no agent: closed after the answer,
    // so the client's next connection is routed afresh (its agent may have registered since).
    if (settings.mode === 'ours') reply.header('connection', 'close');
    if (!hostAllowed(hosts, request.headers.host)) throw new T1CError('HOST_DENIED');
    if (checkOrigin(settings, request, reply) === 'preflight-done') return reply;
    return undefined;
  });
  const originOf = (headers: IncomingMessage['headers']): string => (typeof headers.origin === 'string' ? headers.origin : '');

  const answer = (consentState: string, consents: string[], consent?: string): { success: true; data: Record<string, unknown> } => ({
    success: true, data: { consentState, consents, ...(consent ? { consent } : {}) },
  });

  /** The stored consents that still verify; the one for this caller and origin first. */
  const verified = (consents: readonly string[], caller: OsUserId | undefined, origin: string): { kept: string[]; mine: LiveAgent | undefined; binding: { expiresAt: number } | undefined } => {
    const now = Date.now();
    const kept: string[] = [];
    let mine: LiveAgent | undefined;
    let binding: { expiresAt: number } | undefined;
    for (const consent of consents) {
      const b = signer.open(consent, now);
      if (!b) continue;
      kept.push(consent);
      const agent = channel.agents.ofUser(b.user);
      // Bound to origin and agent, and the agent must be the caller's: a consent string copied
      // into another user's browser (or another page) gets nothing.
      if (!mine && agent && b.origin === origin && b.user === caller) { mine = agent; binding = b; }
    }
    return { kept, mine, binding };
  };

  if (settings.mode !== 'ours') {
    fastify.get('/info', async () => registryInfo(settings.mode, hosts.scheme === 'https' ? 'https://localhost' : 'http://127.0.0.1', hosts.port));
    fastify.get('/v3/agents', async (request) => {
      const agent = await ownAgent(request.raw.socket);
      return { success: true, data: agent ? [agentRecord(agent, host)] : [] };
    });
    fastify.post('/v3/consent', async (request) => {
      const body = consentBody.safeParse(request.body);
      if (!body.success) throw new T1CError('INVALID_INPUT', 'Expected {codeWord, durationInDays?, consents?}');
      const caller = await callerOf(request.raw);
      const origin = originOf(request.headers);
      const { kept } = verified(body.data.consents ?? [], caller, origin);
      const days = body.data.durationInDays ?? 365;
      const matching = (await channel.agentsWithClipboard(body.data.codeWord)).filter((a) => a.user === caller);
      const agent = matching.length === 1 ? matching[0] : undefined;
      if (!agent) return answer('REQUIRED', kept);
      const consent = signer.issue(agentRecord(agent, host, { validityInDays: days, state: 'CONSENT' }), { user: agent.user, origin, expiresAt: Date.now() + days * DAY_MS });
      return answer('APPROVED', [...kept, consent], consent);
    });
    fastify.post('/v3/validate', async (request) => {
      const body = validateBody.safeParse(request.body);
      if (!body.success) throw new T1CError('INVALID_INPUT', 'Expected {consents: [...]}');
      const { kept, mine, binding } = verified(body.data.consents, await callerOf(request.raw), originOf(request.headers));
      if (!mine || !binding) return answer('REQUIRED', kept);
      const days = Math.max(1, Math.ceil((binding.expiresAt - Date.now()) / DAY_MS));
      // Re-issued with the same binding and expiry: only the agent's current port is new.
      const consent = signer.issue(agentRecord(mine, host, { validityInDays: days, state: 'CONSENT' }), { user: mine.user, origin: originOf(request.headers), expiresAt: binding.expiresAt });
      return answer('APPROVED', kept, consent);
    });
  }
  fastify.setNotFoundHandler(async (request) => {
    if (settings.mode !== 'ours') throw new T1CError('NOT_FOUND');
    throw new T1CError(unreachable.has(request.raw.socket) ? 'AGENT_UNREACHABLE' : 'NO_AGENT');
  });

  try {
    if (frontDoor) {
      await fastify.ready();
      await new Promise<void>((resolve, reject) => {
        frontDoor.once('error', reject);
        frontDoor.listen({ host: '127.0.0.1', port: settings.port }, () => { frontDoor.off('error', reject); resolve(); });
      });
      // The line fastify writes when it listens itself, so logs read the same in every mode.
      fastify.log.info(`Server listening at ${hosts.scheme}://127.0.0.1:${(frontDoor.address() as AddressInfo).port}`);
    } else {
      await fastify.listen({ host: '127.0.0.1', port: settings.port });
    }
    hosts.port = ((frontDoor ?? fastify.server).address() as AddressInfo).port;
    // Agents only once the port is known: they learn it on registering.
    await channel.listen();
  } catch (error) {
    frontDoor?.close();
    await channel.close().catch(() => undefined);
    await fastify.close();
    throw error;
  }
  return {
    url: `${hosts.scheme}://${hosts.scheme === 'https' ? 'localhost' : '127.0.0.1'}:${hosts.port}`,
    port: hosts.port,
    settings,
    agents: () => channel.agents.ready().map((a) => agentRecord(a, host)),
    close: async () => {
      if (frontDoor) {
        const closed = new Promise<void>((resolve) => frontDoor.close(() => resolve()));
        for (const socket of spliced) socket.destroy();
        await closed;
      }
      await channel.close();
      await fastify.close();
    },
  };
}
