import type { BeidCard } from './beid-card.js';
import type { BeidCardData, BeidTokenInfo } from './card-data.js';
import type { BeidCertificateName } from './certificates.js';
import type { AppletVersion } from './constants.js';
import type { BeidAddress, BeidIdentity } from './identity.js';
import { checkIntegrity, type IntegrityReport } from './integrity.js';

/** Everything the card holds that can be read without a PIN, with the integrity verdict. */
export interface BeidReadout {
  readonly applet: AppletVersion;
  readonly cardData: BeidCardData;
  readonly tokenInfo: BeidTokenInfo;
  readonly identity: BeidIdentity;
  readonly identityFile: Uint8Array;
  readonly identitySignatureFile: Uint8Array;
  readonly address: BeidAddress;
  readonly addressFile: Uint8Array;
  readonly addressSignatureFile: Uint8Array;
  readonly photo: Uint8Array;
  readonly certificates: Readonly<Record<BeidCertificateName, Uint8Array | undefined>>;
  readonly basicPublicKeyFile: Uint8Array | undefined;
  readonly integrity: IntegrityReport;
  /** APDUs exchanged for this read (GET RESPONSE and 6C repeats included). */
  readonly apduCount: number;
}

/** Reads every file in one transaction, so another application cannot interleave. */
export async function readAll(card: BeidCard): Promise<BeidReadout> {
  const before = card.session.apduCount;
  return card.session.inTransaction(async () => {
    const cardData = await card.readCardData();
    const tokenInfo = await card.readTokenInfo();
    const { file: identityFile, identity } = await card.readIdentity();
    const identitySignatureFile = await card.readFile('identitySignature');
    const { file: addressFile, address } = await card.readAddress();
    const addressSignatureFile = await card.readFile('addressSignature');
    const photo = await card.readFile('photo');
    const certificates = {
      root: await card.readCertificate('root'),
      ca: await card.readCertificate('ca'),
      authentication: await card.readCertificate('authentication'),
      nonRepudiation: await card.readCertificate('nonRepudiation'),
      rrn: await card.readCertificate('rrn'),
    };
    const basicPublicKeyFile = card.leaf.hasBasicPublicKey ? await card.readFile('basicPublicKey') : undefined;
    const integrity = checkIntegrity({
      identityFile, identitySignatureFile, addressFile, addressSignatureFile, photo,
      photoHash: identity.photoHash, rrnCertificate: certificates.rrn, rootCertificate: certificates.root,
      basicPublicKeyFile, basicKeyHash: identity.basicKeyHash,
    });
    return {
      applet: card.applet, cardData, tokenInfo, identity, identityFile, identitySignatureFile, address, addressFile,
      addressSignatureFile, photo, certificates, basicPublicKeyFile, integrity, apduCount: card.session.apduCount - before,
    };
  });
}
