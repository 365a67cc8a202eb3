import { createHash, sign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { concatBytes, decodeTlv, encodeTlv, fromHex } from '@t1c/smartcard/codec';
import { BeidFile, IdentityTag, type AppletVersion } from './card-spec.js';
import { belpicPkcs15Files } from '../pkcs15/belpic-pkcs15-files.js';
import { buildTestPki, type BeidTestPki, type CardPrivateKeys } from '../pki/test-pki.js';
import type { HolderData } from './holder-data.js';
import { buildAddressFile, buildIdentityFile } from './identity-file.js';
import { specimenPhoto } from './specimen-photo.js';

/** What personalisation produced: the file contents by absolute path, and the keys. */
export interface CardImage {
  readonly applet: AppletVersion;
  readonly files: ReadonlyMap<string, Uint8Array>;
  readonly pki: BeidTestPki;
  readonly keys: CardPrivateKeys;
  readonly chipNumber: Uint8Array;
}

export interface PersonalisationOptions {
  readonly applet: AppletVersion;
  readonly holder: HolderData;
  /** Alter the identity file after the RRN signed it, so integrity checks must fail. */
  readonly tampered?: boolean;
  /** Card without a signing certificate (kids cards, revoked): the file is all zeros. */
  readonly emptyNonRepudiation?: boolean;
  /** Generate new keys instead of the per-process shared set. */
  readonly freshKeys?: boolean;
}

/** Zero bytes after a certificate's DER, and the size of an absent certificate (CC54 §8, CC401 §8). */
const CERT_PADDING = { '1.7': 50, '1.8': 1100 } as const;
const EMPTY_CERT_SIZE = { '1.7': 1300, '1.8': 2500 } as const;
const SIGNATURE_FILE_SIZE = 256;

function cardDate(text: string): Date {
  const [day, month, year] = text.split('.').map(Number);
  return new Date(Date.UTC(year ?? 1970, (month ?? 1) - 1, day ?? 1));
}

function loadPhoto(path: string | undefined): Uint8Array {
  const photo = path === undefined ? specimenPhoto() : Uint8Array.from(readFileSync(path));
  if (photo[0] !== 0xff || photo[1] !== 0xd8) throw new RangeError(`holder data: photo ${path ?? ''} is not a JPEG file`);
  return photo;
}

function padded(data: Uint8Array, size: number): Uint8Array {
  const out = new Uint8Array(Math.max(size, data.length));
  out.set(data);
  return out;
}

/** RSA: PKCS#1 v1.5 SHA-256, exactly 256 bytes; EC: DER ECDSA-SHA384 zero-padded to 256 (§6.2). */
function rrnSign(applet: AppletVersion, keys: CardPrivateKeys, data: Uint8Array): Uint8Array {
  const signature = applet === '1.7'
    ? sign('sha256', data, keys.rrn.privateKey)
    : sign('sha384', data, { key: keys.rrn.privateKey, dsaEncoding: 'der' });
  return padded(Uint8Array.from(signature), SIGNATURE_FILE_SIZE);
}

function trimTrailingZeros(data: Uint8Array): Uint8Array {
  let end = data.length;
  while (end > 0 && data[end - 1] === 0) end--;
  return data.subarray(0, end);
}

/** Changes one digit of the card number; same length, so only the signature notices. */
function tamper(identity: Uint8Array): Uint8Array {
  const fields = decodeTlv(identity).map((f) => {
    if (f.tag !== IdentityTag.cardNumber || f.value.length === 0) return f;
    const value = Uint8Array.from(f.value);
    const last = value.length - 1;
    value[last] = 0x30 + (((value[last] ?? 0x30) - 0x30 + 1) % 10);
    return { tag: f.tag, value };
  });
  return encodeTlv(fields);
}

function tokenInfo(chipNumber: Uint8Array): Uint8Array {
  const label = new TextEncoder().encode('BELPIC');
  return concatBytes(Uint8Array.of(0x30, 0x27, 0x02, 0x01, 0x00, 0x04, 0x10), chipNumber,
    Uint8Array.of(0x80, 0x06), label, Uint8Array.of(0x03, 0x02, 0x04, 0x30, 0x9e, 0x04, 0x00, 0x01, 0x01, 0x00));
}

/** EF(ODF): PrKDF [0], CDF [4], AODF [8], each a Path (CC54 §5.3.2). */
const ODF = fromHex('A00A300804063F00DF005035 A40A300804063F00DF005037 A80A300804063F00DF005034');
/** EF(DIR): application template for the BELPIC DF, "BELPIC" label, OID 2.16.56.2 (CC54 §5.2.1). */
const EF_DIR = fromHex('6123 4F0CA000000177504B43532D3135 500642454C504943 51043F00DF00 73050603603802');

export async function personalise(options: PersonalisationOptions): Promise<CardImage> {
  const { applet, holder } = options;
  const algorithm = applet === '1.7' ? 'rsa' : 'ec';
  const { pki, keys } = await buildTestPki({
    surname: holder.surname, firstNames: holder.firstNames, nationalNumber: holder.nationalNumber,
    validityBegin: cardDate(holder.validityBegin), validityEnd: cardDate(holder.validityEnd),
  }, algorithm, options.freshKeys);
  const photo = loadPhoto(holder.photo);
  const basicKeyFile = keys.basic ? Uint8Array.from(keys.basic.publicKey.export({ format: 'der', type: 'spki' })) : undefined;
  const photoHash = createHash(applet === '1.7' ? 'sha256' : 'sha384').update(photo).digest();
  const basicKeyHash = basicKeyFile ? Uint8Array.from(createHash('sha384').update(basicKeyFile).digest()) : undefined;
  const signedIdentity = buildIdentityFile(holder, { photoHash: Uint8Array.from(photoHash), ...(basicKeyHash ? { basicKeyHash } : {}) });
  const identitySignature = rrnSign(applet, keys, signedIdentity);
  const address = buildAddressFile(holder);
  const addressSignature = rrnSign(applet, keys, concatBytes(trimTrailingZeros(address), identitySignature));
  const certFile = (der: Uint8Array): Uint8Array => padded(der, der.length + CERT_PADDING[applet]);
  const chipNumber = fromHex(holder.chipNumber);
  const files = new Map<string, Uint8Array>([
    ['3F002F00', EF_DIR],
    ['3F00DF005031', ODF],
    [BeidFile.tokenInfo, tokenInfo(chipNumber)],
    [BeidFile.authenticationCert, certFile(pki.authenticationCertificate)],
    [BeidFile.nonRepudiationCert, options.emptyNonRepudiation ? new Uint8Array(EMPTY_CERT_SIZE[applet]) : certFile(pki.nonRepudiationCertificate)],
    [BeidFile.caCert, certFile(pki.citizenCaCertificate)],
    [BeidFile.rootCert, certFile(pki.rootCertificate)],
    [BeidFile.rrnCert, certFile(pki.rrnCertificate)],
    [BeidFile.identity, options.tampered ? tamper(signedIdentity) : signedIdentity],
    [BeidFile.identitySignature, identitySignature],
    [BeidFile.address, address],
    [BeidFile.addressSignature, addressSignature],
    [BeidFile.photo, photo],
  ]);
  if (basicKeyFile) files.set(BeidFile.basicPublicKey, basicKeyFile);
  for (const [path, content] of belpicPkcs15Files(applet, {
    authentication: pki.authenticationCertificate,
    nonRepudiation: options.emptyNonRepudiation ? undefined : pki.nonRepudiationCertificate,
    ca: pki.citizenCaCertificate,
    root: pki.rootCertificate,
  })) files.set(path, content);
  return { applet, files, pki, keys, chipNumber };
}
