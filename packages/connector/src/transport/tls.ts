import { readFileSync } from 'node:fs';
import type { Settings } from '../config/settings.js';
import { ensureLocalCa } from './local-ca.js';

export interface Transport {
  readonly scheme: 'http' | 'https';
  readonly https?: { key: string; cert: string };
  /** The name pages should use; the partner certificate's DNS name or localhost. */
  readonly hostname: string;
  readonly caCertPem?: string;
}

/** One of three transports, same API and checks on each: partner cert, local CA, plain HTTP. */
export async function resolveTransport(settings: Settings): Promise<Transport> {
  if (settings.transport === 'http') return { scheme: 'http', hostname: '127.0.0.1' };
  if (settings.transport === 'tls') {
    if (!settings.tlsCert || !settings.tlsKey) throw new Error('--tls-cert and --tls-key are both needed');
    const cert = readFileSync(settings.tlsCert, 'utf8');
    return { scheme: 'https', https: { cert, key: readFileSync(settings.tlsKey, 'utf8') }, hostname: settings.hostnames[0] ?? 'localhost' };
  }
  const ca = await ensureLocalCa(settings.dataDir, settings.hostnames);
  return { scheme: 'https', https: { cert: ca.certPem, key: ca.keyPem }, hostname: 'localhost', caCertPem: ca.caCertPem };
}
