import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
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
import { AgentProxy } from './proxy.js';
import { registryChannel, type RegistrySettings } from './settings.js';

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

function sendError(res: ServerResponse, error: T1CError): void {
  res.writeHead(error.status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(JSON.stringify(errorBody(error)));
}

/**
 * `t1c registry`: the well-known port on a shared host. Each request's OS user (from the TCP
 * socket tables) decides which agent is the caller's; in mode `ours` requests are forwarded to
 * it, in the consent modes the page is sent to the agent's own port (which refuses other users
 * itself).
 */
export async function startRegistry(settings: RegistrySettings, options: { lookup?: PeerUserLookup; logStream?: NodeJS.WritableStream } = {}): Promise<RunningRegistry> {
  checkAllowOriginPatterns(settings.allowOrigins);
  const lookup = options.lookup ?? (await systemPeerUserLookup());
  if (!lookup) throw new Error(`t1c registry: no way to tell the OS user of a connection on ${process.platform}`);
  if (settings.dataDir) ensurePrivateDir(settings.dataDir);
  const host = hostname();
  const signer = ConsentSigner.open(settings.dataDir, host);
  const callers = new SameUserGuard(lookup);
  const proxy = new AgentProxy();
  // The port is known only after listen (with --port 0); the Host check reads it per request.
  const hosts = { scheme: 'http' as const, names: [] as string[], port: settings.port };

  const callerOf = (req: IncomingMessage): Promise<OsUserId | undefined> => callers.ownerOf(req.socket);
  const ownAgent = async (req: IncomingMessage): Promise<LiveAgent | undefined> => channel.agents.ofUser(await callerOf(req));

  // In mode `ours` the hot path stays outside fastify: Host check, OS user, forward.
  const forwardOrHandle = (handler: (req: IncomingMessage, res: ServerResponse) => void) => (req: IncomingMessage, res: ServerResponse): void => {
    if (settings.mode !== 'ours' || !hostAllowed(hosts, req.headers.host)) {
      handler(req, res);
      return;
    }
    void ownAgent(req).then((agent) => {
      if (!agent) {
        handler(req, res);
        return;
      }
      agent.lastUsed = new Date();
      proxy.forward(req, res, agent.port, (r) => sendError(r, new T1CError('AGENT_UNREACHABLE')));
    });
  };

  const fastify = Fastify({
    logger: { level: settings.logLevel, ...(options.logStream ? { stream: options.logStream } : {}) },
    bodyLimit: 64 * 1024,
    return503OnClosing: true,
    serverFactory: (handler) => createServer(forwardOrHandle(handler)),
  });
  const channel = new AgentChannelServer({ channel: registryChannel(settings), ports: settings.agentPorts, lookup, log: fastify.log });

  fastify.setErrorHandler((error, _request, reply) => {
    const t1c = error instanceof T1CError ? error : new T1CError('INVALID_INPUT');
    void reply.code(t1c.status).header('content-type', 'application/json; charset=utf-8').send(errorBody(t1c));
  });
  fastify.addHook('onRequest', async (request, reply) => {
    reply.header('cache-control', 'no-store');
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
    fastify.get('/info', async () => registryInfo(settings.mode, `http://127.0.0.1`, hosts.port));
    fastify.get('/v3/agents', async (request) => {
      const agent = await ownAgent(request.raw);
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
  fastify.setNotFoundHandler(async () => {
    throw new T1CError(settings.mode === 'ours' ? 'NO_AGENT' : 'NOT_FOUND');
  });

  try {
    await channel.listen();
    await fastify.listen({ host: '127.0.0.1', port: settings.port });
  } catch (error) {
    await channel.close().catch(() => undefined);
    await fastify.close();
    throw error;
  }
  hosts.port = (fastify.server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${hosts.port}`,
    port: hosts.port,
    settings,
    agents: () => channel.agents.ready().map((a) => agentRecord(a, host)),
    close: async () => {
      proxy.close();
      await channel.close();
      await fastify.close();
    },
  };
}
