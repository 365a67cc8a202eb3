import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { atrEntrySchema } from '../../ipc/index.js';
import type { ApiContext } from '../context.js';
import { T1CError } from '../errors.js';
import { infoResponse, infoResponseSchema } from '../info.js';
import { cardReaderSchema, toCardReader } from '../readers.js';
import { route } from '../route.js';
import { readerParams, readersQuery } from '../schemas.js';

const CORE = ['core'];

/** /info, /device-key, /v3/readers, /atrs. */
export function registerCoreRoutes(app: FastifyInstance, ctx: ApiContext): void {
  route(app, ctx, 'GET', '/info', { summary: 'Connector, runtime and user information (not enveloped)', tags: CORE, response: infoResponseSchema, enveloped: false }, async () => {
    const { pcsc } = await ctx.cards.listReaders().catch(() => ({ pcsc: 'down' }));
    return infoResponse(ctx, pcsc);
  });

  route(app, ctx, 'GET', '/device-key', { summary: 'The device key (SPKI PEM) pages encrypt PINs with', tags: CORE, response: z.string() }, async () => ctx.deviceKey.publicKeyPem);

  route(app, ctx, 'GET', '/v3/readers', {
    summary: 'Readers, each with the card in it and the card module that handles it',
    tags: CORE,
    querystring: readersQuery,
    response: z.array(cardReaderSchema),
  }, async ({ query, reply }) => {
    const { readers, pcsc } = await ctx.cards.listReaders();
    // PC/SC down is reported, not fatal: virtual readers still answer.
    if (pcsc === 'down') void reply.header('x-t1c-pcsc', 'unavailable');
    const excluded = query.excluded?.toLowerCase();
    return readers
      .filter((r) => query.cardInserted === undefined || (r.card !== null) === (query.cardInserted === 'true'))
      .filter((r) => !excluded || !r.name.toLowerCase().includes(excluded))
      .map(toCardReader);
  });

  route(app, ctx, 'GET', '/v3/readers/:rid', { summary: 'One reader', tags: CORE, params: readerParams, response: cardReaderSchema }, async ({ params }) => {
    const { readers } = await ctx.cards.listReaders();
    const reader = readers.find((r) => r.id === params.rid);
    if (!reader) throw new T1CError('READER_UNKNOWN');
    return toCardReader(reader);
  });

  // The sandbox's ATR table, as it recognises cards with it.
  route(app, ctx, 'GET', '/atrs', { summary: 'The ATR table: which card module handles which cards', tags: CORE, response: z.array(atrEntrySchema) },
    async () => ctx.cards.call('core', 'listAtrs', null, {}));
}
