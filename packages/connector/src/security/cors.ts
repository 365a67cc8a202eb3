import type { FastifyReply, FastifyRequest } from 'fastify';
import { originMatches, pageRequestWithoutOrigin } from '@t1c/ds/client';
import { T1CError } from '../api/errors.js';

const ALLOWED_METHODS = 'GET, POST, PUT, PATCH, DELETE, OPTIONS';
/** Everything the SDK sends (t1c-api.md §1.3) plus our SDK's PIN-scheme header. */
const ALLOWED_HEADERS = ['authorization', 'x-csrf-token', 'x-t1c-billing-tag', 'content-type', 'x-pace-pin', 'x-pace-can', 'origin', 'accept-language', 'x-t1c-pin-encryption'];

export interface OriginPolicy {
  readonly allowOrigins: readonly string[];
  readonly allowNoOrigin: boolean;
}

export function originAllowed(policy: OriginPolicy, origin: string): boolean {
  return policy.allowOrigins.some((pattern) => originMatches(pattern, origin));
}

/**
 * Deny by default. A request with an Origin must be on the allow-list, preflight and actual
 * request alike; allowed origins get their exact origin echoed with credentials (on errors
 * too, or the page only sees "Internal error"). A request without Origin comes from a
 * non-browser client (or a navigation typed by the user) and is let through when configured,
 * still subject to the JWT. A request without Origin whose fetch metadata says a page sent it
 * (same-origin included: that is what a DNS-rebound page looks like) is refused.
 */
export function checkOrigin(policy: OriginPolicy, request: FastifyRequest, reply: FastifyReply): 'preflight-done' | 'continue' {
  const origin = request.headers.origin;
  if (origin === undefined) {
    if (!policy.allowNoOrigin || pageRequestWithoutOrigin(request.headers)) throw new T1CError('ORIGIN_DENIED');
    return 'continue';
  }
  if (!originAllowed(policy, origin)) throw new T1CError('ORIGIN_DENIED');
  reply.header('access-control-allow-origin', origin);
  reply.header('access-control-allow-credentials', 'true');
  reply.header('vary', 'Origin');
  if (request.method !== 'OPTIONS' || request.headers['access-control-request-method'] === undefined) return 'continue';
  const requested = String(request.headers['access-control-request-headers'] ?? '')
    .split(',').map((h) => h.trim().toLowerCase()).filter((h) => h.length > 0);
  if (requested.some((h) => !ALLOWED_HEADERS.includes(h))) throw new T1CError('ORIGIN_DENIED', 'A requested header is not allowed');
  reply.header('access-control-allow-methods', ALLOWED_METHODS);
  reply.header('access-control-allow-headers', ALLOWED_HEADERS.join(', '));
  reply.header('access-control-max-age', '600');
  // Private Network Access (Chrome 2021-24) and its Local Network Access successor.
  if (request.headers['access-control-request-private-network'] === 'true') reply.header('access-control-allow-private-network', 'true');
  if (request.headers['access-control-request-local-network'] === 'true') reply.header('access-control-allow-local-network', 'true');
  void reply.code(204).send();
  return 'preflight-done';
}
