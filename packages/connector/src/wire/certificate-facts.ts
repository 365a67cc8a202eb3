import { createHash, X509Certificate } from 'node:crypto';
import { BoundedMap } from '../bounded-map.js';

/** What the T1C certificate shapes show of a certificate, parsed from its DER. */
export interface CertificateFacts {
  readonly subject: string;
  readonly issuer: string;
  readonly serialNumber: string;
  /** SHA-256 of the SubjectPublicKeyInfo, hex. */
  readonly keyHash: string;
}

/** A desk sees a few CA generations; a bound keeps a stream of odd cards from growing it. */
const kept = new BoundedMap<string, CertificateFacts>(32);

function parse(der: Uint8Array): CertificateFacts {
  const cert = new X509Certificate(der);
  let keyHash: string | undefined;
  return {
    subject: cert.subject.replace(/\n/g, ', '),
    issuer: cert.issuer.replace(/\n/g, ', '),
    serialNumber: cert.serialNumber,
    // Exported and hashed when first asked for: the identity file's issuer needs only the subject.
    get keyHash(): string {
      keyHash ??= createHash('sha256').update(cert.publicKey.export({ type: 'spki', format: 'der' })).digest('hex');
      return keyHash;
    },
  };
}

/**
 * The facts of a certificate. `shared` certificates (CAs, the RRN's: the same on every card,
 * nothing personal) are parsed once per DER and kept, bounded; a holder's own certificates are
 * parsed per call and never kept, so no personal data outlives the request in this process.
 */
export function certificateFacts(der: Uint8Array, shared: boolean): CertificateFacts {
  if (!shared) return parse(der);
  const key = Buffer.from(der).toString('base64');
  let facts = kept.get(key);
  if (!facts) {
    facts = parse(der);
    kept.set(key, facts);
  }
  return facts;
}
