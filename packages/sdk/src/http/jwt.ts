import { sdkError } from '../errors/t1c-error.js';

export type JwtProvider = () => Promise<string>;

/**
 * The page's JWT (t1c-api.md §1.6): fetched from the provider on first use and once more
 * when the connector answers 401. Concurrent 401s share one refresh.
 */
export class JwtSource {
  private token: string | undefined;
  private pending: Promise<string> | undefined;

  constructor(private readonly provider: JwtProvider | undefined) {}

  get enabled(): boolean {
    return this.provider !== undefined;
  }

  /** The token to send, or undefined when the page configured none. */
  async current(): Promise<string | undefined> {
    if (!this.provider) return undefined;
    return this.token ?? this.refresh(undefined);
  }

  /** A new token, unless another call already replaced `stale` in the meantime. */
  async refresh(stale: string | undefined): Promise<string> {
    if (this.token !== undefined && this.token !== stale) return this.token;
    this.pending ??= this.fetchToken().finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  private async fetchToken(): Promise<string> {
    const provider = this.provider;
    if (!provider) throw sdkError('unauthorized', 'No JWT provider is configured');
    let token: unknown;
    try {
      token = await provider();
    } catch (error) {
      throw sdkError('unauthorized', 'The JWT provider failed', { cause: error });
    }
    if (typeof token !== 'string' || token.trim() === '') throw sdkError('unauthorized', 'The JWT provider returned no token');
    this.token = token.trim();
    return this.token;
  }
}
