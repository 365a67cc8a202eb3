import { createHash } from 'node:crypto';

/**
 * Signatures of texts signed lately, for a deterministic scheme (RSASSA-PKCS1-v1_5: the same
 * key and text always give the same signature), so a page polling the same answer does not
 * cost an RSA operation each time. Keyed by the text's SHA-256: a memoised signature is only
 * ever returned for the very text it was made over, and no text is kept. Bounded; the oldest
 * goes first.
 */
export class SignatureMemo {
  private readonly signatures = new Map<string, string>();

  constructor(private readonly sign: (text: string) => string, private readonly max = 64) {}

  of(text: string): string {
    const digest = createHash('sha256').update(text, 'utf8').digest('base64');
    const known = this.signatures.get(digest);
    if (known !== undefined) return known;
    const signature = this.sign(text);
    if (this.signatures.size >= this.max) this.signatures.delete(this.signatures.keys().next().value ?? '');
    this.signatures.set(digest, signature);
    return signature;
  }
}
