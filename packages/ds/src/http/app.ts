import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { registerAdminPage } from '../admin/page.js';
import { registerAdminRoutes } from '../admin/routes.js';
import type { DsContext } from './context.js';
import { registerDeviceRoutes } from './devices.js';
import { installErrorHandling } from './errors.js';
import { installHostGuard } from './host-guard.js';
import { registerPublicRoutes } from './public.js';
import { registerTokenRoutes } from './tokens.js';

/** Builds the DS HTTP app; listening is the caller's business (server.ts, tests). */
export async function createApp(ctx: DsContext, logger: FastifyBaseLogger): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: logger,
    bodyLimit: 64 * 1024,
    trustProxy: ctx.config.trustProxy,
    // Ids in URLs are ours; never reflect arbitrary request data into logs beyond the path.
    requestIdHeader: false,
    // Slow clients must not hold sockets forever.
    requestTimeout: 30_000,
    connectionTimeout: 60_000,
  });
  installErrorHandling(app, ctx.metrics);
  // First hook of all: a rebound page must not reach a route, the database or a rate limiter.
  if (ctx.config.hostGuard !== null) installHostGuard(app, ctx.config.hostGuard.publicHosts);
  // JSON only: any other body type is refused with 415 rather than half-understood.
  app.removeContentTypeParser('text/plain');
  app.addHook('onSend', async (_request, reply, payload) => {
    void reply.header('cache-control', 'no-store');
    void reply.header('x-content-type-options', 'nosniff');
    return payload;
  });
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    ctx.metrics.inc('ds_http_requests_total', 'HTTP requests by route and status', { method: request.method, route, status: String(reply.statusCode) });
    ctx.metrics.observeDuration(route, reply.elapsedTime / 1000);
  });
  registerPublicRoutes(app, ctx);
  registerTokenRoutes(app, ctx);
  registerDeviceRoutes(app, ctx);
  registerAdminRoutes(app, ctx);
  registerAdminPage(app);
  await app.ready();
  return app;
}
