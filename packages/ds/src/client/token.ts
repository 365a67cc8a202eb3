import { readDsResponse } from './errors.js';

/**
 * For an application's backend: exchanges its API key for a short-lived JWT. The key must
 * stay server-side; only the JWT goes to the browser.
 */
export async function fetchApplicationToken(dsUrl: string, apiKey: string, init: { signal?: AbortSignal } = {}): Promise<string> {
  const response = await fetch(new URL('/v3_5/tokens/application', dsUrl), {
    headers: { apikey: apiKey, accept: 'application/json' },
    signal: init.signal ?? AbortSignal.timeout(10_000),
  });
  return readDsResponse<string>(response);
}
