import { trimDer } from '../codec/der.js';

export type BeidCertificateName = 'root' | 'ca' | 'authentication' | 'nonRepudiation' | 'rrn';

/**
 * A certificate file is DER plus zero padding; an absent certificate is all zeros. Returns
 * the DER alone, or undefined when the file holds no certificate.
 */
export function certificateFromFile(file: Uint8Array): Uint8Array | undefined {
  if (file.every((b) => b === 0)) return undefined;
  const der = trimDer(file);
  return der !== undefined && der[0] === 0x30 ? der : undefined;
}
