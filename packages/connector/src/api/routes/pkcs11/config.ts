import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { pkcs11ConfigSchema, thisOs } from '../../../config/pkcs11-libraries.js';
import type { ApiContext } from '../../context.js';
import { route } from '../../route.js';
import { PKCS11_PREFIX, TAGS } from './paths.js';

/** A partial body keeps the other OSes' paths; unknown keys are refused. */
const configBody = pkcs11ConfigSchema.partial().strict();

/**
 * `config`: the PKCS#11 library path per OS (t1c-api.md §2.6). A new path for this OS is put
 * to the sandbox's allow-list first, with no library loaded: a refused one changes nothing.
 */
export function registerPkcs11ConfigRoutes(app: FastifyInstance, ctx: ApiContext): void {
  route(app, ctx, 'GET', `${PKCS11_PREFIX}/config`, {
    summary: 'The PKCS#11 library path for each OS', tags: TAGS, response: pkcs11ConfigSchema,
  }, async () => ctx.pkcs11.get());

  route(app, ctx, 'POST', `${PKCS11_PREFIX}/config`, {
    summary: 'Set library paths; this OS\'s path must pass the allow-list (known or configured directories, absolute, not writable by everyone)',
    tags: TAGS, body: configBody, response: pkcs11ConfigSchema,
  }, async ({ body }) => {
    const mine = body[thisOs()];
    if (mine !== undefined) await ctx.cards.call('pkcs11', 'checkLibrary', null, { library: mine });
    return ctx.pkcs11.set({ ...ctx.pkcs11.get(), ...body });
  });

  route(app, ctx, 'PATCH', `${PKCS11_PREFIX}/config/reset`, {
    summary: 'Back to the default library paths (OpenSC)', tags: TAGS, response: z.boolean(),
  }, async () => {
    ctx.pkcs11.reset();
    return true;
  });
}
