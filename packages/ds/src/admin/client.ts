import { readDsResponse } from '../client/errors.js';
import { ADMIN_PREFIX } from './routes.js';

/** Typed calls to the admin REST API; the CLI is a thin shell over this. */
export class AdminClient {
  constructor(private readonly dsUrl: string, private readonly token: string) {}

  async call<T>(method: 'GET' | 'POST' | 'PUT', path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { authorization: `Bearer ${this.token}`, accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(new URL(`${ADMIN_PREFIX}${path}`, this.dsUrl), {
      method, headers, body: body === undefined ? null : JSON.stringify(body), signal: AbortSignal.timeout(15_000),
    });
    return readDsResponse<T>(response);
  }
}
