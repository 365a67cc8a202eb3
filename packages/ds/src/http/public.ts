import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { DsError } from '../errors.js';
import { osSchema, semverSchema } from '../client/protocol.js';
import type { Version } from '../store/model.js';
import type { DsContext } from './context.js';
import { parse } from './validate.js';

export const DS_VERSION = '0.1.0';

/** T1C's version record shape: upper-case OS names in a `uris` list. */
export function t1cVersion(v: Version): Record<string, unknown> {
  return {
    id: v.id, recommended: v.recommended, mandatory: v.mandatory, allowed: v.allowed,
    uris: Object.entries(v.uris).map(([os, uri]) => ({ os: os.toUpperCase(), uri })),
  };
}

/** Unauthenticated or JWT-authenticated read-only endpoints. */
export function registerPublicRoutes(app: FastifyInstance, ctx: DsContext): void {
  app.get('/v3_5/system/status', async () => {
    await ctx.store.ping();
    return { success: true, data: { status: 'UP', database: 'UP', version: DS_VERSION, time: new Date().toISOString() } };
  });

  app.get('/.well-known/jwks.json', async () => ctx.signer.jwks());

  // As in T1C, the latest version is for holders of an application JWT.
  app.get('/v3_5/versions/latest', async (request) => {
    const auth = request.headers.authorization;
    const m = typeof auth === 'string' ? /^Bearer ([A-Za-z0-9._-]{1,4096})$/.exec(auth) : null;
    if (m?.[1] === undefined) throw new DsError('unauthorized');
    try {
      await ctx.signer.verify(m[1]);
    } catch {
      throw new DsError('unauthorized');
    }
    const latest = await ctx.store.versions.latest();
    if (latest === null) throw new DsError('notFound', 'no version is published');
    return { success: true, data: t1cVersion(latest) };
  });

  const installerParams = z.strictObject({ os: osSchema });
  const installerQuery = z.strictObject({ version: semverSchema.optional() });
  app.get('/v3_5/downloads/installers/:os', async (request, reply) => {
    const { os } = parse(installerParams, request.params, 'path');
    const { version } = parse(installerQuery, request.query, 'query');
    const target = version === undefined ? await ctx.store.versions.latest() : await ctx.store.versions.get(version);
    if (target === null || !target.allowed) throw new DsError('notFound', 'no such allowed version');
    const uri = target.uris[os];
    if (uri === undefined) throw new DsError('notFound', `version ${target.id} has no installer for ${os}`);
    return reply.redirect(uri, 302);
  });

  app.get('/metrics', async (_request, reply) => {
    void reply.type('text/plain; version=0.0.4');
    return ctx.metrics.render();
  });
}
