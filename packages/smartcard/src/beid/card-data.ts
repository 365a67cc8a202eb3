import { toHex } from '../codec/hex.js';
import { readDer, readDerChildren } from '../codec/der.js';
import { SmartCardError } from '../errors.js';

/** GET CARD DATA (80 E4 00 00/01), beid-card.md §1.3. */
export interface BeidCardData {
  readonly serialNumber: string;
  readonly componentCode: number;
  readonly osNumber: number;
  readonly osVersion: number;
  readonly softmaskNumber: number;
  readonly softmaskVersion: number;
  readonly appletVersion: number;
  readonly globalOsVersion: number;
  readonly appletInterfaceVersion: number;
  readonly pkcs1Support: number;
  readonly keyExchangeVersion: number;
  readonly appletLifeCycle: number;
  /** Only from P2=01 on applet 1.8. */
  readonly pinTriesLeft: number | undefined;
}

export function parseCardData(bytes: Uint8Array): BeidCardData {
  if (bytes.length < 28) throw new SmartCardError('CARD_DATA_INVALID', `card data of ${bytes.length} bytes, 28 expected`);
  const b = (i: number): number => bytes[i] ?? 0;
  const tries = bytes.length >= 29 && b(28) !== 0xff ? b(28) : undefined;
  return {
    serialNumber: toHex(bytes.subarray(0, 16)),
    componentCode: b(16),
    osNumber: b(17),
    osVersion: b(18),
    softmaskNumber: b(19),
    softmaskVersion: b(20),
    appletVersion: b(21),
    globalOsVersion: (b(22) << 8) | b(23),
    appletInterfaceVersion: b(24),
    pkcs1Support: b(25),
    keyExchangeVersion: b(26),
    appletLifeCycle: b(27),
    pinTriesLeft: tries,
  };
}

/** EF(TokenInfo) 5032: `30 { 02 version, 04 serial, 80 label, 03 flags, … 04 perso versions }`. */
export interface BeidTokenInfo {
  readonly version: number;
  readonly serialNumber: string;
  readonly label: string;
  readonly graphicalPersoVersion: number;
  readonly electricalPersoVersion: number;
  readonly electricalPersoInterfaceVersion: number;
  readonly rfu: number;
  readonly raw: Uint8Array;
}

export function parseTokenInfo(file: Uint8Array): BeidTokenInfo {
  const outer = readDer(file);
  if (outer.tag !== 0x30) throw new SmartCardError('ASN1_MALFORMED', 'token info is not a SEQUENCE');
  const children = readDerChildren(outer.value);
  const byTag = (tag: number): Uint8Array | undefined => children.find((c) => c.tag === tag)?.value;
  const octets = children.filter((c) => c.tag === 0x04);
  const perso = octets[1]?.value ?? new Uint8Array(4);
  return {
    version: (byTag(0x02) ?? new Uint8Array(1)).reduce((n, b) => n * 256 + b, 0),
    serialNumber: toHex(octets[0]?.value ?? new Uint8Array(0)),
    label: new TextDecoder().decode(byTag(0x80) ?? new Uint8Array(0)),
    graphicalPersoVersion: perso[0] ?? 0,
    electricalPersoVersion: perso[1] ?? 0,
    electricalPersoInterfaceVersion: perso[2] ?? 0,
    rfu: perso[3] ?? 0,
    raw: file.slice(0, outer.end),
  };
}
