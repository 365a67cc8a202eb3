import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import rateLimit from '@fastify/rate-limit';
import { hostAllowed } from '@t1c/ds/client';
import { checkOrigin } from '../security/cors.js';
import { rememberCaller } from './caller.js';
import type { SameUserGuard } from '../os/peer-user/index.js';
import { errorBody, T1CError, toT1CError } from './errors.js';
import { describeMissingRoute } from './missing-route.js';
import { trackRoutes } from './openapi.js';
import { plainSerializerCompiler, zodValidatorCompiler } from './route.js';
import type { ApiContext } from './context.js';
import { registerCoreRoutes } from './routes/core.js';
import { registerBeidRoutes } from './routes/beid/index.js';
import { registerEmvRoutes } from './routes/emv/index.js';
import { registerPkcs11Routes } from './routes/pkcs11/index.js';
import { registerRemoteloadingRoutes } from './routes/remoteloading/index.js';
import { checkVersionPolicy, countTransaction, registerDsRoutes } from './routes/ds.js';

export interface BuildOptions {
  readonly logger?: FastifyServerOptions['logger'];
  readonly https?: { key: string; cert: string } | undefined;
  /** Refuses connections of other OS users; absent only where the OS offers no way to tell. */
  readonly sameUser?: SameUserGuard | undefined;
}

/** Fastify error codes that mean "the client sent something we cannot parse". */
function fromFastifyError(error: unknown): T1CError {
  const code = (error as { code?: unknown }).code;
  if (code === 'FST_ERR_CTP_BODY_TOO_LARGE') return new T1CError('BODY_TOO_LARGE');
  if (code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return new T1CError('UNSUPPORTED_MEDIA_TYPE');
  if (typeof code === 'string' && code.startsWith('FST_ERR_CTP')) return new T1CError('INVALID_INPUT');
  if (error instanceof SyntaxError) return new T1CError('INVALID_INPUT', 'The body is not valid JSON');
  return toT1CError(error);
}

/**
 * The local API as a fastify instance: tests `inject()` into it, startApi() listens on a socket.
 * Order per request: OS user of the connection → Host (DNS rebinding) → origin/CORS (preflights end there) → JWT →
 * schema-checked handler. Unknown routes pass the same hooks.
 */
export async function buildApp(ctx: ApiContext, options: BuildOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit: ctx.policy.bodyLimitBytes,
    ...(options.https ? { https: options.https } : {}),
    return503OnClosing: true,
  }) as unknown as FastifyInstance;

  // Request parts are checked by the zod types each route declares; responses go out as
  // JSON.stringify made them (the envelope's signature is over that text).
  trackRoutes(app);
  app.setValidatorCompiler(zodValidatorCompiler);
  app.setSerializerCompiler(plainSerializerCompiler);

  // `application/json;charset=UTF-8` and SDK 3.6.1's `null` body on POST reset-bulk-pin.
  // JSON only: a text/plain body (a "simple" CORS request) is refused outright.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.trim() === '') return done(null, null);
    try {
      done(null, JSON.parse(text));
    } catch {
      done(new T1CError('INVALID_INPUT', 'The body is not valid JSON'), undefined);
    }
  });

  app.setErrorHandler((error, request, reply) => {
    const t1c = error instanceof T1CError ? error : fromFastifyError(error);
    if (t1c.key === 'INTERNAL') request.log.error({ err: error instanceof Error ? { name: error.name, message: error.message } : 'non-error' }, 'internal error');
    else request.log.info({ t1cCode: t1c.code }, 'request failed');
    void reply.code(t1c.status).header('content-type', 'application/json; charset=utf-8').send(errorBody(t1c));
  });
  app.setNotFoundHandler((request, reply) => {
    const error = new T1CError('NOT_FOUND', describeMissingRoute(request.method, request.url));
    void reply.code(error.status).send(errorBody(error));
  });

  app.addHook('onRequest', async (request, reply) => {
    reply.header('cache-control', 'no-store');
    if (options.sameUser && !(await options.sameUser.allows(request.raw.socket))) throw new T1CError('OTHER_OS_USER');
    if (!hostAllowed(ctx.hosts, request.headers.host)) throw new T1CError('HOST_DENIED');
    if (checkOrigin(ctx.policy, request, reply) === 'preflight-done') return reply;
    if (ctx.jwt) {
      const { sub } = await ctx.jwt.verify(request.headers.authorization, request.headers.origin);
      rememberCaller(request, sub);
    }
    checkVersionPolicy(ctx, request);
    return undefined;
  });
  app.addHook('onResponse', async (request, reply) => {
    countTransaction(ctx, request, reply.statusCode);
  });

  await app.register(rateLimit, {
    global: false,
    errorResponseBuilder: () => new T1CError('RATE_LIMITED'),
  });

  registerCoreRoutes(app, ctx);
  registerBeidRoutes(app, ctx);
  registerEmvRoutes(app, ctx);
  registerPkcs11Routes(app, ctx);
  registerRemoteloadingRoutes(app, ctx);
  registerDsRoutes(app, ctx);
  return app;
}
