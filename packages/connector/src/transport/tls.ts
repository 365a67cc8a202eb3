import { readFileSync } from 'node:fs';
import type { Settings } from '../config/settings.js';
import { certificateDnsNames } from '../security/served-hosts.js';

export interface Transport {
  readonly scheme: 'http' | 'https';
  readonly https?: { key: string; cert: string };
  /** The name pages should use; the partner certificate's DNS name or localhost. */
  readonly hostname: string;
  readonly caCertPem?: string;
  /** Every DNS name this transport serves (Host check); loopback names are implied. */
  readonly names: readonly string[];
  /** The local CA was made anew (the configured names changed): it must be trusted again. */
  readonly caRenewed?: boolean;
  /** The local CA was made on this start (first start or anew): the user is offered to trust it. */
  readonly caCreated?: boolean;
}

/** One of three transports, same API and checks on each: partner cert, local CA, plain HTTP. */
export async function resolveTransport(settings: Settings): Promise<Transport> {
  if (settings.transport === 'http') return { scheme: 'http', hostname: '127.0.0.1', names: settings.hostnames };
  if (settings.transport === 'tls') {
    if (!settings.tlsCert || !settings.tlsKey) throw new Error('--tls-cert and --tls-key are both needed');
    const cert = readFileSync(settings.tlsCert, 'utf8');
    const hostname = settings.hostnames[0] ?? 'localhost';
    return {
      scheme: 'https', https: { cert, key: readFileSync(settings.tlsKey, 'utf8') }, hostname,
      names: [hostname, ...settings.hostnames, ...certificateDnsNames(cert)],
    };
  }
  // Loaded only here: @peculiar/x509 and its ASN.1 stack are a tenth of the API's code.
  const { ensureLocalCa } = await import('./local-ca.js');
  const ca = await ensureLocalCa(settings.dataDir, settings.hostnames);
  return { scheme: 'https', https: { cert: ca.certPem, key: ca.keyPem }, hostname: 'localhost', caCertPem: ca.caCertPem, names: settings.hostnames, caRenewed: ca.caRenewed, caCreated: ca.caCreated };
}
