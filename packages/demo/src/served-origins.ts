import { hostAllowed, splitHostHeader } from '@t1c/ds';
import { z } from 'zod';

/** A deployed demo's public origin, e.g. `https://demo.example.com`: scheme, name and port only. */
export const publicOrigin = z.url({ protocol: /^https?$/ }).refine((value) => {
  const url = new URL(value);
  return url.origin === value.replace(/\/$/, '') && url.username === '' && url.password === '';
}, 'must be an origin (scheme://name[:port]) without path, query or credentials');

/**
 * The origins this demo serves, found from a request's Host header: the loopback names on the
 * port it listens on (`127.0.0.1`, `localhost`, `[::1]`) and the configured public origins.
 * A Host that names none of them is a DNS-rebinding page or a misdirected request.
 */
export class ServedOrigins {
  private readonly publicByHost: ReadonlyMap<string, string>;

  constructor(private readonly port: number, publicOrigins: readonly string[] = []) {
    this.publicByHost = new Map(publicOrigins.map((o) => {
      const url = new URL(publicOrigin.parse(o));
      return [url.host.toLowerCase(), url.origin];
    }));
  }

  /** The origin a browser shows for a page this server served under `host`, or undefined when it does not serve that name. */
  originFor(host: string | undefined): string | undefined {
    if (host === undefined) return undefined;
    const own = this.publicByHost.get(host.trim().toLowerCase());
    if (own !== undefined) return own;
    if (!hostAllowed({ port: this.port, scheme: 'http' }, host)) return undefined;
    const parsed = splitHostHeader(host);
    return parsed && new URL(`http://${parsed.name}:${this.port}`).origin;
  }

  /** For error messages: what a caller should use instead. */
  describe(): string {
    return [`127.0.0.1:${this.port}`, `localhost:${this.port}`, `[::1]:${this.port}`, ...this.publicByHost.keys()].join(', ');
  }
}
