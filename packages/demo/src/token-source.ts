import { decodeJwt } from 'jose';
import { fetchApplicationToken } from '@t1c/ds';

/**
 * Holds the application's API key server-side and hands out the DS's short-lived JWT,
 * refreshed a minute before it expires. The key never leaves this object.
 */
export class TokenSource {
  private cached: { jwt: string; expiresAt: number } | undefined;
  private inflight: Promise<string> | undefined;

  constructor(private readonly dsUrl: string, private readonly apiKey: string, private readonly now: () => number = Date.now) {}

  async token(): Promise<string> {
    if (this.cached && this.cached.expiresAt - 60_000 > this.now()) return this.cached.jwt;
    this.inflight ??= this.fetchNew().finally(() => { this.inflight = undefined; });
    return this.inflight;
  }

  private async fetchNew(): Promise<string> {
    const jwt = await fetchApplicationToken(this.dsUrl, this.apiKey);
    const { exp } = decodeJwt(jwt);
    this.cached = { jwt, expiresAt: typeof exp === 'number' ? exp * 1000 : this.now() + 5 * 60_000 };
    return jwt;
  }
}
