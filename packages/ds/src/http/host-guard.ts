import type { FastifyInstance } from 'fastify';
import { DsError } from '../errors.js';
import { hostAllowed, splitHostHeader } from '../policy/hosts.js';

/**
 * `name` or `name:port` as given with --public-host (a reverse proxy on this machine that
 * forwards Host). Without a port the name is served on its scheme's default port only.
 */
export function parsePublicHost(value: string): { name: string; port: number | undefined } {
  const parsed = splitHostHeader(value);
  if (parsed === undefined || parsed.name === '') throw new Error(`invalid public host "${value.slice(0, 80)}": expected name or name:port`);
  return parsed;
}

/**
 * DNS-rebinding guard for a DS bound to loopback: a page whose name was re-pointed at
 * 127.0.0.1 still sends its own name as Host, so anything but our loopback names on our port
 * or a configured public host is refused before any route (or database) work.
 */
export function installHostGuard(app: FastifyInstance, publicHosts: readonly string[]): void {
  const extra = publicHosts.map(parsePublicHost);
  app.addHook('onRequest', async (request) => {
    const host = request.headers.host;
    if (hostAllowed({ port: request.socket.localPort ?? 0 }, host)) return;
    const parsed = host === undefined ? undefined : splitHostHeader(host);
    if (parsed !== undefined && extra.some((e) => e.name === parsed.name && (e.port === parsed.port || (e.port === undefined && (parsed.port === undefined || parsed.port === 443 || parsed.port === 80))))) return;
    throw new DsError('hostDenied', `Host "${(host ?? '').slice(0, 100)}" is not served by this DS (DNS rebinding guard): use 127.0.0.1, localhost or [::1] with port ${request.socket.localPort ?? '?'}, or start the DS with --public-host <name>`);
  });
}
