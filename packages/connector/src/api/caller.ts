import type { FastifyRequest } from 'fastify';

/**
 * Who sent a request, as far as the connector can tell: the application is the verified JWT's
 * `sub` (none with --no-jwt), the origin is the Origin header (none from a non-browser client).
 * PIN state (bulk PIN, rate limit, the OS dialog's text) is keyed by it.
 */
export interface Caller {
  readonly application: string | undefined;
  readonly origin: string | undefined;
}

const applications = new WeakMap<FastifyRequest, string>();

/** Called once the JWT verified, before any route runs. */
export function rememberCaller(request: FastifyRequest, sub: unknown): void {
  if (typeof sub === 'string' && sub !== '') applications.set(request, sub);
}

export function callerOf(request: FastifyRequest): Caller {
  const origin = request.headers.origin;
  return { application: applications.get(request), origin: typeof origin === 'string' && origin !== '' ? origin : undefined };
}

/** One string per caller for map keys; JSON keeps `a|b` + `c` apart from `a` + `b|c`. */
export function callerKey(caller: Caller): string {
  return JSON.stringify([caller.application ?? null, caller.origin ?? null]);
}
