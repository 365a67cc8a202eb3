import { createHash } from 'node:crypto';
import { BoundedMap } from '../bounded-map.js';

/**
 * Signatures of texts signed lately, for a deterministic scheme (RSASSA-PKCS1-v1_5: the same
 * key and text always give the same signature), so a page polling the same answer does not
 * cost an RSA operation each time. Keyed by the text's SHA-256: a memoised signature is only
 * ever returned for the very text it was made over, and no text is kept. Bounded; the oldest
 * goes first.
 */
export class SignatureMemo {
  private readonly signatures: BoundedMap<string, string>;

  constructor(private readonly sign: (text: string) => string, max = 64) {
    this.signatures = new BoundedMap(max);
  }

  of(text: string): string {
    const digest = createHash('sha256').update(text, 'utf8').digest('base64');
    const known = this.signatures.get(digest);
    if (known !== undefined) return known;
    const signature = this.sign(text);
    this.signatures.set(digest, signature);
    return signature;
  }
}
