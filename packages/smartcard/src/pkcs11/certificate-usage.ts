import { AsnConvert } from '@peculiar/asn1-schema';
import { BasicConstraints, Certificate, id_ce_basicConstraints, id_ce_keyUsage, KeyUsage, KeyUsageFlags } from '@peculiar/asn1-x509';
import { SmartCardError } from '../errors.js';
import type { CertificateUsage, KeyType } from './types.js';

const RSA_ENCRYPTION = '1.2.840.113549.1.1.1';
const EC_PUBLIC_KEY = '1.2.840.10045.2.1';

/**
 * Sorts a token's certificates the way eID middleware does: a CA is an authority; a key usage
 * with nonRepudiation (contentCommitment) is for qualified signatures; digitalSignature alone
 * is for authentication. Labels are not trusted: tokens name their objects as they like.
 */
export function describeCertificate(der: Uint8Array): { usage: CertificateUsage; keyType: KeyType | 'other' } {
  let certificate: Certificate;
  try {
    certificate = AsnConvert.parse(der, Certificate);
  } catch {
    throw new SmartCardError('ASN1_MALFORMED', 'a certificate on the token is not DER X.509');
  }
  const algorithm = certificate.tbsCertificate.subjectPublicKeyInfo.algorithm.algorithm;
  const keyType = algorithm === RSA_ENCRYPTION ? 'rsa' : algorithm === EC_PUBLIC_KEY ? 'ec' : 'other';
  const extensions = certificate.tbsCertificate.extensions ?? [];
  const extension = (oid: string) => extensions.find((e) => e.extnID === oid);
  const constraints = extension(id_ce_basicConstraints);
  if (constraints && AsnConvert.parse(constraints.extnValue, BasicConstraints).cA) return { usage: 'authority', keyType };
  const keyUsage = extension(id_ce_keyUsage);
  if (!keyUsage) return { usage: 'other', keyType };
  const flags = AsnConvert.parse(keyUsage.extnValue, KeyUsage).toNumber();
  if (flags & KeyUsageFlags.nonRepudiation) return { usage: 'nonRepudiation', keyType };
  if (flags & KeyUsageFlags.digitalSignature) return { usage: 'authentication', keyType };
  return { usage: 'other', keyType };
}
