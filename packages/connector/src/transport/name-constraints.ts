import { AsnConvert } from '@peculiar/asn1-schema';
import { GeneralName, GeneralSubtree, GeneralSubtrees, id_ce_nameConstraints, NameConstraints } from '@peculiar/asn1-x509';
import * as x509 from '@peculiar/x509';

/** The loopback addresses, as the address/mask pairs name constraints use. */
const LOOPBACK_RANGES = ['127.0.0.1/32', '::1/128'];

/**
 * Critical X.509 Name Constraints (RFC 5280 §4.2.1.10): the CA may certify only these DNS names
 * (and their subdomains, by the RFC's rule) and the loopback addresses. A leaf for any other
 * name fails path validation in browsers and OpenSSL, even with this CA trusted.
 */
export function caNameConstraints(dnsNames: readonly string[]): x509.Extension {
  const subtree = (base: GeneralName): GeneralSubtree => new GeneralSubtree({ base });
  const constraints = new NameConstraints({
    permittedSubtrees: new GeneralSubtrees([
      ...dnsNames.map((dNSName) => subtree(new GeneralName({ dNSName }))),
      ...LOOPBACK_RANGES.map((iPAddress) => subtree(new GeneralName({ iPAddress }))),
    ]),
  });
  return new x509.Extension(id_ce_nameConstraints, true, AsnConvert.serialize(constraints));
}

/** The permitted DNS names of a CA certificate, sorted; undefined when it has no name constraints. */
export function permittedDnsNames(ca: x509.X509Certificate): string[] | undefined {
  const extension = ca.extensions.find((e) => e.type === id_ce_nameConstraints);
  if (!extension) return undefined;
  const parsed = AsnConvert.parse(extension.value, NameConstraints);
  return (parsed.permittedSubtrees ?? [])
    .map((s) => s.base.dNSName)
    .filter((n): n is string => n !== undefined)
    .sort();
}
