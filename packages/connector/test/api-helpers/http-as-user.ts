import { curlAsUser, type RunAsUser } from '../helpers/curl-as-user.js';
import type { Answer, Client } from './http.js';

/** A curl header block (`-i`) as Node names headers: lower-case names, the status line left out. */
function headersOf(block: string): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const line of block.split('\r\n').slice(1)) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return headers;
}

/**
 * The api-helpers `Client` for requests made as another OS user (the connector serves only its
 * own user), through the same curl run as `OsUsers.curl`. Plain requests, no body.
 */
export function clientAsUser(base: string, runAsUser: RunAsUser): Client {
  return {
    call: async (method, path, options) => {
      if (options?.body !== undefined || options?.headers !== undefined) throw new Error('clientAsUser: no body or headers');
      const r = await curlAsUser(runAsUser, new URL(path, base).href, ['--request', method]);
      if (r.code !== 0) throw new Error(`curl as the user failed (${r.code}): ${r.stderr}`);
      let json: unknown;
      try {
        json = JSON.parse(r.body);
      } catch {
        json = undefined;
      }
      return { status: r.status, headers: headersOf(r.headers), text: r.body, json } satisfies Answer;
    },
    close: () => undefined,
  };
}
