import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { counterEntrySchema } from '@t1c/ds/client';
import type { UseCase } from '../../ds-client/index.js';
import { counterApplication, versionRefusal } from '../../ds-client/index.js';
import { callerOf } from '../caller.js';
import type { ApiContext } from '../context.js';
import { route } from '../route.js';
import { T1CError } from '../errors.js';
import { BEID_PREFIX } from './beid/paths.js';

/** Which successful requests count as which transaction, by route pattern. */
const USE_CASES: ReadonlyMap<string, UseCase> = new Map([
  ...['all-data', 'biometric', 'address', 'picture'].map((op) => [`${BEID_PREFIX}/readers/:rid/${op}`, 'identity-read'] as const),
  [`${BEID_PREFIX}/readers/:rid/verify-pin`, 'pin-verification'],
  [`${BEID_PREFIX}/readers/:rid/sign`, 'signature'],
  [`${BEID_PREFIX}/readers/:rid/sign_raw`, 'signature'],
  [`${BEID_PREFIX}/readers/:rid/authenticate`, 'authentication'],
]);

const BILLING_TAG = 'x-t1c-billing-tag';

/** Card operations refused while the DS says this version may not be used. */
export function checkVersionPolicy(ctx: ApiContext, request: FastifyRequest): void {
  if (!ctx.ds || !request.url.startsWith('/v3/modules/')) return;
  const refusal = versionRefusal(ctx.ds.link.versionPolicy());
  if (refusal) throw new T1CError('VERSION_NOT_ALLOWED', refusal);
}

export function countTransaction(ctx: ApiContext, request: FastifyRequest, statusCode: number): void {
  const useCase = USE_CASES.get(request.routeOptions.url ?? '');
  if (!ctx.ds || !useCase || statusCode !== 200) return;
  const tag = request.headers[BILLING_TAG];
  ctx.ds.link.count(callerOf(request).application ?? 'unknown', typeof tag === 'string' ? tag : '', useCase);
}

const DS = ['core', 'distribution service'];

/** `GET /logs/push` and `GET /ds/transactions` (t1c-api.md §2.1). */
export function registerDsRoutes(app: FastifyInstance, ctx: ApiContext): void {
  route(app, ctx, 'GET', '/logs/push', {
    summary: 'Upload the recent log lines to the Distribution Service',
    tags: DS,
    response: z.object({ id: z.string(), size: z.number() }),
  }, async () => {
    if (!ctx.ds) throw new T1CError('DS_NOT_CONFIGURED');
    try {
      return await ctx.ds.link.pushLogs();
    } catch {
      throw new T1CError('DS_UNAVAILABLE');
    }
  });
  // Only the caller's own counters: another application's volumes are its business. Without a
  // JWT there is no caller to scope to, and an empty list would falsely say "nothing pending".
  route(app, ctx, 'GET', '/ds/transactions', {
    summary: "The caller's transaction counters not yet sent to the Distribution Service",
    tags: DS,
    // Counted entries before the DS fills in defaults: `tag` may be absent.
    response: z.array(counterEntrySchema.partial({ tag: true })),
  }, async ({ request }) => {
    if (!ctx.ds) throw new T1CError('DS_NOT_CONFIGURED');
    const { application } = callerOf(request);
    if (application === undefined) throw new T1CError('NO_APPLICATION');
    const own = counterApplication(application);
    return ctx.ds.link.pendingCounters().filter((entry) => entry.application === own);
  });
}
