import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../context.js';
import { envelope } from '../envelope.js';
import { T1CError } from '../errors.js';
import { infoResponse } from '../info.js';
import { toCardReader } from '../readers.js';
import { parse, readerParams, readersQuery } from '../schemas.js';

/** /info, /device-key, /v3/readers, /atrs. */
export function registerCoreRoutes(app: FastifyInstance, ctx: ApiContext): void {
  app.get('/info', async () => {
    const { pcsc } = await ctx.cards.listReaders().catch(() => ({ pcsc: 'down' }));
    return infoResponse(ctx, pcsc);
  });

  app.get('/device-key', async () => envelope(ctx.deviceKey, ctx.deviceKey.publicKeyPem));

  app.get('/v3/readers', async (request, reply) => {
    const query = parse(readersQuery, request.query, 'query');
    const { readers, pcsc } = await ctx.cards.listReaders();
    // PC/SC down is reported, not fatal: virtual readers still answer.
    if (pcsc === 'down') void reply.header('x-t1c-pcsc', 'unavailable');
    const excluded = query.excluded?.toLowerCase();
    const list = readers
      .filter((r) => query.cardInserted === undefined || (r.card !== null) === (query.cardInserted === 'true'))
      .filter((r) => !excluded || !r.name.toLowerCase().includes(excluded))
      .map(toCardReader);
    return envelope(ctx.deviceKey, list);
  });

  app.get('/v3/readers/:rid', async (request) => {
    const { rid } = parse(readerParams, request.params, 'reader id');
    const { readers } = await ctx.cards.listReaders();
    const reader = readers.find((r) => r.id === rid);
    if (!reader) throw new T1CError('READER_UNKNOWN');
    return envelope(ctx.deviceKey, toCardReader(reader));
  });

  // The sandbox's ATR table, as it recognises cards with it.
  app.get('/atrs', async () => envelope(ctx.deviceKey, await ctx.cards.call('core', 'listAtrs', null, {})));
}
