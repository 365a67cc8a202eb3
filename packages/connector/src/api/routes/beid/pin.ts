import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { BeidSigningKey } from '../../../ipc/index.js';
import { callerOf } from '../../caller.js';
import type { ApiContext } from '../../context.js';
import { T1CError } from '../../errors.js';
import { moduleReader } from '../../readers.js';
import { route } from '../../route.js';
import { bulkQuery, readerParams, signBody, verifyPinBody } from '../../schemas.js';
import { algorithmOf, base64Bytes, DIGEST_BYTES, pinFor, pinRateKey, wipePin } from '../pin-source.js';
import { BEID_PREFIX } from './paths.js';

const TAGS = ['beid'];

/** verify-pin, authenticate, sign, sign_raw and reset-bulk-pin; all rate-limited. */
export function registerBeidPinRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const options = { config: { rateLimit: { max: ctx.policy.pinRateLimitPerMinute, timeWindow: 60_000, keyGenerator: pinRateKey(ctx) } } };

  route(app, ctx, 'POST', `${BEID_PREFIX}/readers/:rid/verify-pin`, {
    summary: 'Verify the PIN (encrypted with the device key, the OS dialog or the pinpad)',
    tags: TAGS, params: readerParams, body: verifyPinBody, response: z.object({ verified: z.boolean() }), options,
  }, async ({ params: { rid }, body, request }) => {
    const reader = await moduleReader(ctx.cards, rid, 'beid');
    const source = await pinFor(ctx, request, callerOf(request), { pinpad: reader.pinpad, body, rid });
    if (!source) throw new T1CError('PIN_REQUIRED');
    try {
      await ctx.cards.call('beid', 'verifyPin', rid, { pin: source.pin });
    } finally {
      wipePin(source.pin);
    }
    return { verified: true };
  });

  const signing = (op: string, key: BeidSigningKey, raw: boolean, summary: string): void => {
    route(app, ctx, 'POST', `${BEID_PREFIX}/readers/:rid/${op}`, {
      summary, tags: TAGS, params: readerParams, querystring: bulkQuery, body: signBody, response: z.object({ data: z.string() }), options,
    }, async ({ params: { rid }, query, body, request }) => {
      const bulk = query.bulk === 'true' && op !== 'authenticate';
      const algorithm = algorithmOf(body.algorithm);
      const data = base64Bytes(body.data);
      const digest = raw ? new Uint8Array(createHash(algorithm.replace('-', '').toLowerCase()).update(data).digest()) : data;
      if (digest.length !== DIGEST_BYTES[algorithm]) throw new T1CError('DIGEST_INVALID');
      const reader = await moduleReader(ctx.cards, rid, 'beid');
      const insertion = reader.card?.insertion;
      const caller = callerOf(request);
      const source = await pinFor(ctx, request, caller, { pinpad: reader.pinpad, body, rid, bulkInsertion: bulk ? insertion : undefined });
      if (!source) throw new T1CError('PIN_REQUIRED');
      try {
        const { signature } = await ctx.cards.call('beid', 'sign', rid, { key, algorithm, digest, pin: source.pin });
        // Only a PIN this request brought starts a bulk session; using a kept one never extends it.
        if (bulk && source.from === 'request' && source.pin.kind === 'digits' && insertion !== undefined) {
          ctx.bulkPins.remember(rid, caller, insertion, source.pin.pin);
        }
        return { data: Buffer.from(signature).toString('base64') };
      } catch (error) {
        // A refused signature ends the caller's bulk session: a kept PIN is never retried
        // until the card blocks. Another application's kept PIN is not this caller's to end.
        if (bulk) ctx.bulkPins.forgetFor(rid, caller);
        throw error;
      } finally {
        wipePin(source.pin);
      }
    });
  };
  signing('sign', 'nonRepudiation', false, 'Sign a digest with the non-repudiation key (bulk=true keeps the PIN)');
  signing('sign_raw', 'nonRepudiation', true, 'Hash the data, then sign it with the non-repudiation key');
  signing('authenticate', 'authentication', false, 'Sign a digest with the authentication key');

  // GET from SDK ≥ 3.5.0, POST (with a `null` body) before: serve both. Wipes every kept PIN:
  // stopping is always allowed, whoever asks.
  for (const method of ['GET', 'POST'] as const) {
    route(app, ctx, method, `${BEID_PREFIX}/reset-bulk-pin`, {
      summary: 'Forget every PIN kept for bulk signing', tags: TAGS, response: z.boolean(), options,
    }, async () => {
      ctx.bulkPins.reset();
      return true;
    });
  }
}
