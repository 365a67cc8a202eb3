import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../../context.js';
import { registerBeidDataRoutes } from './data.js';
import { registerBeidPinRoutes } from './pin.js';

export { BEID_PREFIX } from './paths.js';

/** The Belgian eID module's routes (t1c-api.md §2.3). */
export function registerBeidRoutes(app: FastifyInstance, ctx: ApiContext): void {
  registerBeidDataRoutes(app, ctx);
  registerBeidPinRoutes(app, ctx);
}
