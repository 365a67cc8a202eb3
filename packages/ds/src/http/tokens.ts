import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { DsError } from '../errors.js';
import { parseKey, secretMatches } from '../secrets.js';
import type { DsContext } from './context.js';

const headersSchema = z.object({ apikey: z.string().min(1).max(200) });

/** API key → short-lived application JWT, the one call an app backend makes. */
export function registerTokenRoutes(app: FastifyInstance, ctx: DsContext): void {
  const denied = (reason: string): DsError => {
    ctx.metrics.inc('ds_token_denied_total', 'Token requests refused', { reason });
    return new DsError('unauthorized');
  };

  const issue = async (request: FastifyRequest): Promise<{ success: true; data: string }> => {
    ctx.limiters.perAddress.hit(request.ip);
    const headers = headersSchema.safeParse(request.headers);
    if (!headers.success) throw denied('missing');
    const key = parseKey('ak', headers.data.apikey);
    if (key === null) throw denied('malformed');
    ctx.limiters.perKey.hit(key.keyId);
    const application = await ctx.store.applications.findByKeyId(key.keyId);
    // Hash compare even when the id is unknown, so both paths cost the same.
    const matches = secretMatches(key.secret, application?.keyHash ?? '0'.repeat(64));
    if (application === null || !matches) throw denied('unknown');
    const token = await ctx.signer.issue(application);
    ctx.metrics.inc('ds_tokens_issued_total', 'Application tokens issued');
    return { success: true, data: token };
  };

  app.get('/v3_5/tokens/application', issue);
  // The DS 3.0/3.1 path, same behaviour, for older integrations.
  app.get('/v3/tokens/application', issue);
}
