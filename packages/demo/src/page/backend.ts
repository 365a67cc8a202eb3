/** Calls to the demo's own backend (same origin): config, the JWT, challenges, verification. */
async function json<T>(path: string, init?: RequestInit): Promise<T> {
  const response = await fetch(path, { ...init, headers: { 'content-type': 'application/json', ...(init?.headers ?? {}) } });
  if (!response.ok) throw new Error(`${path} answered ${response.status}`);
  return (await response.json()) as T;
}

export const backend = {
  config: () => json<{ connectorUrl: string }>('/api/config'),
  jwt: async () => (await json<{ jwt: string }>('/api/token')).jwt,
  challenge: () => json<{ id: string; digest: string; algorithm: 'sha256' }>('/api/challenge', { method: 'POST', body: '{}' }),
  verify: (id: string, signature: string, certificates: string[]) =>
    json<{ signatureValid: boolean; chainValid: boolean; signer: string; root: string; rootTrusted: boolean; reason?: string }>(
      '/api/verify', { method: 'POST', body: JSON.stringify({ id, signature, certificates }) }),
};
