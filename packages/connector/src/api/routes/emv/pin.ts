import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { callerOf } from '../../caller.js';
import type { ApiContext } from '../../context.js';
import { T1CError } from '../../errors.js';
import { pinFor, pinRateKey, wipePin } from '../pin-source.js';
import { moduleReader } from '../../readers.js';
import { route } from '../../route.js';
import { readerParams, verifyPinBody } from '../../schemas.js';
import { EMV_PREFIX } from './paths.js';

/** verify-pin: the offline plaintext PIN of the preferred application, rate-limited like every PIN route. */
export function registerEmvPinRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const options = { config: { rateLimit: { max: ctx.policy.pinRateLimitPerMinute, timeWindow: 60_000, keyGenerator: pinRateKey(ctx) } } };
  route(app, ctx, 'POST', `${EMV_PREFIX}/readers/:rid/verify-pin`, {
    summary: 'Verify the offline plaintext PIN (after GET PROCESSING OPTIONS, as the card expects)',
    tags: ['emv'], params: readerParams, body: verifyPinBody, response: z.object({ verified: z.boolean() }), options,
  }, async ({ params: { rid }, body, request }) => {
    const reader = await moduleReader(ctx.cards, rid, 'emv');
    const source = await pinFor(ctx, request, callerOf(request), { pinpad: reader.pinpad, body, rid });
    if (!source) throw new T1CError('PIN_REQUIRED');
    try {
      await ctx.cards.call('emv', 'verifyPin', rid, { pin: source.pin });
    } finally {
      wipePin(source.pin);
    }
    return { verified: true };
  });
}
