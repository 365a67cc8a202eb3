import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../../context.js';
import { registerEmvDataRoutes } from './data.js';
import { registerEmvPinRoutes } from './pin.js';

export { EMV_PREFIX } from './paths.js';

/** The EMV payment card module's routes (t1c-api.md §2.7). */
export function registerEmvRoutes(app: FastifyInstance, ctx: ApiContext): void {
  registerEmvDataRoutes(app, ctx);
  registerEmvPinRoutes(app, ctx);
}
