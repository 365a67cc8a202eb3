import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../../context.js';
import { registerPkcs11ConfigRoutes } from './config.js';
import { registerPkcs11TokenRoutes } from './token.js';

export { PKCS11_PREFIX } from './paths.js';

/** The pkcs11 module's routes (t1c-api.md §2.6): library configuration, then the tokens. */
export function registerPkcs11Routes(app: FastifyInstance, ctx: ApiContext): void {
  registerPkcs11ConfigRoutes(app, ctx);
  registerPkcs11TokenRoutes(app, ctx);
}
