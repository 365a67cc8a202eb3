import { createHash, randomBytes, randomUUID, verify, X509Certificate } from 'node:crypto';

/** What the page proves: the card signed our challenge, and its certificate chains to its root. */
export interface SignatureVerdict {
  readonly signatureValid: boolean;
  readonly chainValid: boolean;
  readonly signer: string;
  readonly root: string;
  readonly rootTrusted: boolean;
  readonly reason?: string;
}

interface Pending {
  readonly challenge: Buffer;
  readonly expires: number;
}

const LIFETIME_MS = 5 * 60 * 1000;
const MAX_PENDING = 10_000;

/** One-time challenges: issued, consumed once by a verification, or forgotten after five minutes. */
export class ChallengeStore {
  private readonly pending = new Map<string, Pending>();

  constructor(private readonly trustedRoots: readonly X509Certificate[] = [], private readonly now: () => number = Date.now) {}

  issue(): { id: string; digest: string; algorithm: 'sha256' } {
    this.sweep();
    if (this.pending.size >= MAX_PENDING) throw new RangeError('too many open challenges');
    const id = randomUUID();
    const challenge = randomBytes(32);
    this.pending.set(id, { challenge, expires: this.now() + LIFETIME_MS });
    return { id, digest: createHash('sha256').update(challenge).digest('base64'), algorithm: 'sha256' };
  }

  /** Verifies once; the challenge is gone afterwards whatever the outcome (no replays). */
  verify(id: string, signature: Buffer, chain: readonly Buffer[]): SignatureVerdict {
    const entry = this.pending.get(id);
    this.pending.delete(id);
    const [leafDer, ...issuers] = chain;
    if (!entry || entry.expires < this.now()) return failure('unknown or expired challenge');
    if (!leafDer) return failure('no signing certificate');
    let certs: X509Certificate[];
    try {
      certs = [leafDer, ...issuers].map((der) => new X509Certificate(der));
    } catch {
      return failure('a certificate could not be parsed');
    }
    const [leaf] = certs;
    if (!leaf) return failure('no signing certificate');
    const key = leaf.publicKey;
    const signatureValid = key.asymmetricKeyType === 'ec'
      ? verify('sha256', entry.challenge, { key, dsaEncoding: signature.length === 96 ? 'ieee-p1363' : 'der' }, signature)
      : verify('sha256', entry.challenge, key, signature);
    let chainValid = certs.length >= 2;
    for (let i = 0; i < certs.length - 1 && chainValid; i++) {
      const child = certs[i];
      const parent = certs[i + 1];
      chainValid = !!child && !!parent && child.checkIssued(parent) && child.verify(parent.publicKey);
    }
    const root = certs[certs.length - 1] ?? leaf;
    chainValid = chainValid && root.verify(root.publicKey);
    const rootTrusted = this.trustedRoots.some((t) => t.fingerprint256 === root.fingerprint256);
    return { signatureValid, chainValid, signer: commonName(leaf), root: commonName(root), rootTrusted };
  }

  private sweep(): void {
    const now = this.now();
    for (const [id, entry] of this.pending) if (entry.expires < now) this.pending.delete(id);
  }
}

function commonName(cert: X509Certificate): string {
  return /CN=([^\n]+)/.exec(cert.subject)?.[1] ?? cert.subject;
}

function failure(reason: string): SignatureVerdict {
  return { signatureValid: false, chainValid: false, signer: '', root: '', rootTrusted: false, reason };
}
