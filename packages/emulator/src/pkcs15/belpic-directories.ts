import { concatBytes, fromHex } from '@t1c/smartcard/codec';
import { bits, boolean, context, contextPrimitive, enumerated, integer, integerContent, octets, sequence, utf8, type Der } from './der-writer.js';

/**
 * The BELPIC application's PKCS#15 directory files: AODF (5034), PrKDF (5035) and CDF (5037),
 * as the card content specification describes them (CC54 §5.3.3–§5.3.6; beid-card.md §2),
 * encoded after PKCS#15 v1.1 / ISO/IEC 7816-15. With them a PKCS#15 reader such as OpenSC
 * finds the PIN, the two keys and the certificates without any knowledge of this card.
 */

/** PinFlags (PKCS#15 §6.8.2): initialized(4), needs-padding(5). */
const PIN_FLAGS = bits(4, 5);
/** PinType bcd(0). */
const PIN_TYPE_BCD = 0;
/** CommonObjectFlags: private(0). */
const PRIVATE = bits(0);
/** KeyUsageFlags: sign(2); nonRepudiation(9). */
const USAGE_SIGN = bits(2);
const USAGE_NON_REPUDIATION = bits(9);
/** KeyAccessFlags: sensitive(0), alwaysSensitive(2), neverExtractable(3), local(4). */
const KEY_ACCESS = bits(0, 2, 3, 4);

const PIN_AUTH_ID = Uint8Array.of(0x01);
const BELPIC_DF = fromHex('3F00DF00');

/** Path ::= SEQUENCE { path OCTET STRING, index INTEGER, length [0] INTEGER }. */
function path(hexPath: string, size?: number): Der {
  const parts = [octets(fromHex(hexPath))];
  if (size !== undefined) parts.push(integer(0), contextPrimitive(0, integerContent(size)));
  return sequence(...parts);
}

/** AODF: the one "Basic PIN", BCD, 4–12 digits stored in 8 bytes padded with FF, reference 01, global (3F00). */
export function authenticationObjectDirectory(): Uint8Array {
  const pinAttributes = sequence(
    PIN_FLAGS,
    enumerated(PIN_TYPE_BCD),
    integer(4),
    integer(8),
    integer(12),
    contextPrimitive(0, integerContent(0x01)),
    octets(Uint8Array.of(0xff)),
    path('3F00'),
  );
  return sequence(sequence(utf8('Basic PIN'), bits(1)), sequence(octets(PIN_AUTH_ID)), context(1, pinAttributes));
}

export type BelpicKeyAlgorithm = 'rsa' | 'ec';

interface KeyEntry {
  readonly label: string;
  readonly id: number;
  readonly reference: number;
  readonly usage: Der;
  /** CC54 §7.4: the signature key asks for the PIN before every use. */
  readonly userConsent: boolean;
}

const KEYS: readonly KeyEntry[] = [
  { label: 'Authentication', id: 0x02, reference: 0x82, usage: USAGE_SIGN, userConsent: false },
  { label: 'Signature', id: 0x03, reference: 0x83, usage: USAGE_NON_REPUDIATION, userConsent: true },
];

/**
 * PrKDF: the authentication key (ID 02, reference 82) and the signature key (ID 03, reference
 * 83), both behind the Basic PIN. RSA keys (applet 1.7) are privateRSAKey with their modulus
 * length; EC keys (1.8) are privateECKey, context tag [0].
 */
export function privateKeyDirectory(algorithm: BelpicKeyAlgorithm, keyBits: number): Uint8Array {
  const entries = KEYS.map((key) => {
    const common = sequence(utf8(key.label), PRIVATE, octets(PIN_AUTH_ID), ...(key.userConsent ? [integer(1)] : []));
    const commonKey = sequence(octets(Uint8Array.of(key.id)), key.usage, boolean(true), KEY_ACCESS, integer(key.reference));
    const typeAttributes = algorithm === 'rsa'
      ? sequence(sequence(octets(BELPIC_DF)), integer(keyBits))
      : sequence(sequence(octets(BELPIC_DF)));
    const object = [common, commonKey, context(1, typeAttributes)];
    return algorithm === 'rsa' ? sequence(...object) : context(0, ...object);
  });
  return concatBytes(...entries);
}

export interface CertificateEntry {
  readonly label: string;
  readonly id: number;
  readonly path: string;
  readonly authority: boolean;
  /** DER length; the file behind it is longer (zero padding). */
  readonly size: number;
}

/**
 * CDF: one x509Certificate object per certificate file. Entries of absent certificates are
 * left out and the file keeps its size, zero-filled (CC54 §5.3.6, §8), so pass `fileSize` as
 * the size of the complete directory.
 */
export function certificateDirectory(certificates: readonly CertificateEntry[], fileSize?: number): Uint8Array {
  const entries = certificates.map((c) => sequence(
    sequence(utf8(c.label)),
    sequence(octets(Uint8Array.of(c.id)), ...(c.authority ? [boolean(true)] : [])),
    context(1, sequence(path(c.path, c.size))),
  ));
  const body = concatBytes(...entries);
  if (fileSize === undefined || fileSize <= body.length) return body;
  const out = new Uint8Array(fileSize);
  out.set(body);
  return out;
}
