import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import {
  ccidFeatureNames, DEFAULT_SESSION_TIMEOUT_S, MAX_APDUS_PER_CALL, MAX_EXTENDED_APDU, MAX_SESSION_TIMEOUT_S,
  SandboxError, type RemoteExchange,
} from '../../../ipc/index.js';
import { callerOf } from '../../caller.js';
import { T1CError } from '../../errors.js';
import type { ApiContext } from '../../context.js';
import { route } from '../../route.js';
import { readerParams } from '../../schemas.js';
import { pinRateKey } from '../pin-source.js';
import { carriesPinAttempt, commandFromFields, commandFromHex, hexBytes } from './apdu.js';
import { SessionOwners } from './sessions.js';

/** Every remote loading route sits under this prefix (t1c-api.md §2.9). */
export const REMOTELOADING_PREFIX = '/v3/modules/remoteloading/apps/hsm/readers/:rid';
const TAGS = ['remoteloading'];
/** Sandbox answers after which it no longer holds the session (it closes it on a card gone or reset). */
const ENDS_SESSION: ReadonlySet<string> = new Set(['SESSION_UNKNOWN', 'PCSC_CARD_REMOVED', 'PCSC_NO_CARD', 'PCSC_CARD_RESET']);

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex').toUpperCase();
const sessionId = z.string().max(128).optional();
const withSession = z.object({ sessionId });
const commandHex = z.string().max(2 * MAX_EXTENDED_APDU + 2);
const apduFields = z.object({
  cla: z.string().max(2), ins: z.string().max(2), p1: z.string().max(2), p2: z.string().max(2),
  data: z.string().max(2 * 65_535 + 2).optional(), le: z.string().max(4).optional(),
});
const commandResponse = z.object({ sw: z.string(), tx: z.string(), rx: z.string().optional() });
type CommandResponse = z.infer<typeof commandResponse>;

function toCommandResponse(exchange: RemoteExchange): CommandResponse {
  const sw = exchange.sw.toString(16).toUpperCase().padStart(4, '0');
  return exchange.rx.length > 0 ? { sw, tx: hex(exchange.tx), rx: hex(exchange.rx) } : { sw, tx: hex(exchange.tx) };
}

/** The PIN-rate-limit idea of "who": the JWT's application, or the Origin with --no-jwt. */
function ownerOf(request: FastifyRequest): string {
  const caller = callerOf(request);
  return JSON.stringify(caller.application !== undefined ? ['app', caller.application] : ['origin', caller.origin ?? null]);
}

/**
 * Remote loading (t1c-api.md §2.9): the application's backend sends APDUs to the card through
 * the page. A session is the sandbox's connection to the card, owned by the application that
 * opened it; calls without a session get a connection of their own for that call.
 */
export function registerRemoteloadingRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const owners = new SessionOwners();
  app.addHook('onClose', async () => owners.close());

  /** The session the body names, if any, checked against its owner and reader. */
  const sessionFor = (request: FastifyRequest, rid: string, id: string | undefined): string | undefined => {
    if (id === undefined || id === '') return undefined;
    owners.check(id, ownerOf(request), rid);
    return id;
  };
  /** A call on a session the sandbox no longer holds (it restarted, or the card went): forget it here too. */
  const onSession = async <T>(id: string | undefined, work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (error) {
      if (id !== undefined && error instanceof SandboxError && ENDS_SESSION.has(error.code)) owners.forget(id);
      throw error;
    }
  };
  // Raw APDUs may carry PIN attempts too: those spend the same per-application budget as verify-pin.
  const pinAttempts = app.rateLimit({ max: ctx.policy.pinRateLimitPerMinute, timeWindow: 60_000, keyGenerator: pinRateKey(ctx) });
  const transmit = async (request: FastifyRequest, reply: FastifyReply, rid: string, id: string | undefined, apdus: Uint8Array[]): Promise<CommandResponse[]> => {
    const session = sessionFor(request, rid, id);
    if (apdus.some(carriesPinAttempt)) await pinAttempts.call(app, request, reply);
    const sent = session === undefined ? { apdus } : { apdus, sessionId: session };
    const { exchanges } = await onSession(session, () => ctx.cards.call('remoteloading', 'transmit', rid, sent));
    return exchanges.map(toCommandResponse);
  };

  route(app, ctx, 'POST', `${REMOTELOADING_PREFIX}/open-session`, {
    summary: 'Open a session on the card (timeout in seconds; closed by the connector when it runs out)',
    tags: TAGS, params: readerParams,
    body: z.object({ timeout: z.number().min(0).max(MAX_SESSION_TIMEOUT_S).optional() }).optional(),
    response: z.string(),
  }, async ({ params: { rid }, body, request }) => {
    const seconds = Math.ceil(body?.timeout || DEFAULT_SESSION_TIMEOUT_S);
    const { sessionId: opened } = await ctx.cards.call('remoteloading', 'openSession', rid, { timeoutSeconds: seconds });
    owners.add(opened, { owner: ownerOf(request), readerId: rid }, seconds * 1000);
    return opened;
  });

  route(app, ctx, 'POST', `${REMOTELOADING_PREFIX}/close-session`, {
    summary: 'Close a session', tags: TAGS, params: readerParams, body: z.object({ sessionId: z.string().max(128) }), response: z.string(),
  }, async ({ params: { rid }, body, request }) => {
    owners.check(body.sessionId, ownerOf(request), rid);
    owners.forget(body.sessionId);
    await ctx.cards.call('remoteloading', 'closeSession', rid, { sessionId: body.sessionId });
    return body.sessionId;
  });

  route(app, ctx, 'POST', `${REMOTELOADING_PREFIX}/command`, {
    summary: 'Send one command APDU (hex)', tags: TAGS, params: readerParams,
    body: z.object({ command: commandHex, sessionId }), response: commandResponse,
  }, async ({ params: { rid }, body, request, reply }) => {
    const [response] = await transmit(request, reply, rid, body.sessionId, [commandFromHex(body.command)]);
    if (!response) throw new T1CError('INTERNAL');
    return response;
  });

  route(app, ctx, 'POST', `${REMOTELOADING_PREFIX}/commands`, {
    summary: 'Send command APDUs (hex) in one transaction', tags: TAGS, params: readerParams,
    body: z.object({ commands: z.array(commandHex).min(1).max(MAX_APDUS_PER_CALL), sessionId }), response: z.array(commandResponse),
  }, async ({ params: { rid }, body, request, reply }) => transmit(request, reply, rid, body.sessionId, body.commands.map(commandFromHex)));

  route(app, ctx, 'POST', `${REMOTELOADING_PREFIX}/apdu`, {
    summary: 'Send one APDU given by its fields (hex)', tags: TAGS, params: readerParams,
    body: z.object({ apdu: apduFields, sessionId }), response: commandResponse,
  }, async ({ params: { rid }, body, request, reply }) => {
    const [response] = await transmit(request, reply, rid, body.sessionId, [commandFromFields(body.apdu)]);
    if (!response) throw new T1CError('INTERNAL');
    return response;
  });

  route(app, ctx, 'POST', `${REMOTELOADING_PREFIX}/apdus`, {
    summary: 'Send APDUs given by their fields in one transaction', tags: TAGS, params: readerParams,
    body: z.object({ apdus: z.array(apduFields).min(1).max(MAX_APDUS_PER_CALL), sessionId }), response: z.array(commandResponse),
  }, async ({ params: { rid }, body, request, reply }) => transmit(request, reply, rid, body.sessionId, body.apdus.map(commandFromFields)));

  route(app, ctx, 'POST', `${REMOTELOADING_PREFIX}/atr`, {
    summary: 'The ATR of the card (hex)', tags: TAGS, params: readerParams, body: withSession, response: z.string(),
  }, async ({ params: { rid }, body, request }) => {
    const session = sessionFor(request, rid, body.sessionId);
    const { atr } = await onSession(session, () => ctx.cards.call('remoteloading', 'atr', rid, session === undefined ? {} : { sessionId: session }));
    return hex(atr);
  });

  route(app, ctx, 'POST', `${REMOTELOADING_PREFIX}/card-present`, {
    summary: 'Whether a card is in the reader (and, with a session, still the same one)', tags: TAGS, params: readerParams, body: withSession, response: z.boolean(),
  }, async ({ params: { rid }, body, request }) => {
    const session = sessionFor(request, rid, body.sessionId);
    const { present } = await onSession(session, () => ctx.cards.call('remoteloading', 'cardPresent', rid, session === undefined ? {} : { sessionId: session }));
    return present;
  });

  route(app, ctx, 'POST', `${REMOTELOADING_PREFIX}/ccid-features`, {
    summary: 'The reader\'s PC/SC part 10 features as GET_FEATURE_REQUEST TLV (hex)', tags: TAGS, params: readerParams, body: withSession, response: z.string(),
  }, async ({ params: { rid }, body, request }) => {
    const session = sessionFor(request, rid, body.sessionId);
    const { features } = await onSession(session, () => ctx.cards.call('remoteloading', 'ccidFeatures', rid, session === undefined ? {} : { sessionId: session }));
    return features.map(({ tag, controlCode }) => tag.toString(16).padStart(2, '0') + '04' + controlCode.toString(16).padStart(8, '0')).join('').toUpperCase();
  });

  route(app, ctx, 'POST', `${REMOTELOADING_PREFIX}/ccid`, {
    summary: 'Run a reader feature (pinpad VERIFY/MODIFY PIN, TLV properties)', tags: TAGS, params: readerParams,
    body: z.object({ feature: z.enum(ccidFeatureNames), command: z.string().max(2048), sessionId }), response: commandResponse,
  }, async ({ params: { rid }, body, request }) => {
    const session = sessionFor(request, rid, body.sessionId);
    const command = body.command === '' ? new Uint8Array(0) : hexBytes(body.command, 'The command');
    const args = session === undefined ? { feature: body.feature, command } : { feature: body.feature, command, sessionId: session };
    const { response } = await onSession(session, () => ctx.cards.call('remoteloading', 'ccid', rid, args));
    // PIN features answer as the card does (data, then SW1 SW2); TLV properties are reader data.
    if (body.feature === 'GET_TLV_PROPERTIES' || response.length < 2) return { sw: '9000', tx: hex(command), ...(response.length > 0 ? { rx: hex(response) } : {}) };
    return toCommandResponse({ tx: command, rx: response.subarray(0, -2), sw: ((response.at(-2) ?? 0) << 8) | (response.at(-1) ?? 0) });
  });
}

