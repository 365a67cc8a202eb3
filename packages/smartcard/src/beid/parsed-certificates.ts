import { createHash, X509Certificate } from 'node:crypto';

const MAX_ENTRIES = 32;
const parsed = new Map<string, X509Certificate>();

/**
 * Parsing a certificate costs more than a file read; the same RRN certificate is on every card,
 * so its parse is reused, keyed by a hash of the exact DER. Unparseable bytes are never stored.
 */
export function parseCertificate(der: Uint8Array | undefined): X509Certificate | undefined {
  if (!der) return undefined;
  const key = createHash('sha256').update(der).digest('base64');
  const known = parsed.get(key);
  if (known) return known;
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(der);
  } catch {
    return undefined;
  }
  parsed.set(key, certificate);
  for (const oldest of parsed.keys()) {
    if (parsed.size <= MAX_ENTRIES) break;
    parsed.delete(oldest);
  }
  return certificate;
}
