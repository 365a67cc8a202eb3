import { PAGE_HEADER } from './page-header.js';

/**
 * Calls to the demo's own backend (same origin): config, the JWT, challenges, verification.
 * The custom header makes any cross-origin copy of these calls need a CORS preflight, which the
 * backend never approves; the session cookie (HttpOnly, SameSite=Strict) rides along by itself.
 */
async function json<T>(path: string, init?: RequestInit): Promise<T> {
  const response = await fetch(path, {
    ...init,
    credentials: 'same-origin',
    headers: { 'content-type': 'application/json', [PAGE_HEADER.name]: PAGE_HEADER.value, ...(init?.headers ?? {}) },
  });
  if (!response.ok) throw new Error(`${path} answered ${response.status}`);
  return (await response.json()) as T;
}

const post = <T>(path: string, body: unknown): Promise<T> => json<T>(path, { method: 'POST', body: JSON.stringify(body) });

export const backend = {
  config: () => json<{ connectorUrl: string }>('/api/config'),
  jwt: async () => (await post<{ jwt: string }>('/api/token', {})).jwt,
  challenge: () => post<{ id: string; digest: string; algorithm: 'sha256' }>('/api/challenge', {}),
  verify: (id: string, signature: string, certificates: string[]) =>
    post<{ signatureValid: boolean; chainValid: boolean; signer: string; root: string; rootTrusted: boolean; reason?: string }>(
      '/api/verify', { id, signature, certificates }),
};
