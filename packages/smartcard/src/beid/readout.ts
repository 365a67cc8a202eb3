import type { BeidCard } from './beid-card.js';
import type { BeidCardData, BeidTokenInfo } from './card-data.js';
import type { BeidCertificateName } from './certificates.js';
import type { AppletVersion } from './constants.js';
import type { BeidAddress, BeidIdentity } from './identity.js';
import {
  checkAddressSignature, checkBasicKeyHash, checkIdentitySignature, checkPhotoHash, checkRrnCertificate, integrityReport,
  rrnSigner, type IntegrityReport,
} from './integrity.js';

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

/**
 * Reads every file in one transaction, so another application cannot interleave. The RRN and
 * root certificates come first, so each signature check starts as soon as its file is in and
 * runs while the card answers the rest; every check is awaited before the readout is returned.
 */
export async function readAll(card: BeidCard): Promise<BeidReadout> {
  const before = card.session.apduCount;
  return card.session.inTransaction(async () => {
    const cardData = await card.readCardData();
    const tokenInfo = await card.readTokenInfo();
    const rrn = await card.readCertificate('rrn');
    const root = await card.readCertificate('root');
    const signer = rrnSigner(rrn);
    const rrnCertificate = checkRrnCertificate(signer, root);
    // Each check settles to a verdict (never rejects), so none is left unhandled while reading goes on.
    const { file: identityFile, identity } = await card.readIdentity();
    const photoHashLength = identity.photoHash.length;
    const identitySignatureFile = await card.readFile('identitySignature');
    const identitySignature = checkIdentitySignature(signer, identityFile, identitySignatureFile, photoHashLength);
    const { file: addressFile, address } = await card.readAddress();
    const addressSignatureFile = await card.readFile('addressSignature');
    const addressSignature = checkAddressSignature(signer, addressFile, identitySignatureFile, addressSignatureFile, photoHashLength);
    const photo = await card.readFile('photo');
    const photoHash = checkPhotoHash(photo, identity.photoHash);
    const certificates = {
      root,
      ca: await card.readCertificate('ca'),
      authentication: await card.readCertificate('authentication'),
      nonRepudiation: await card.readCertificate('nonRepudiation'),
      rrn,
    };
    const basicPublicKeyFile = card.leaf.hasBasicPublicKey ? await card.readFile('basicPublicKey') : undefined;
    const integrity = await integrityReport({
      identitySignature, addressSignature, photoHash, rrnCertificate,
      basicKeyHash: checkBasicKeyHash(basicPublicKeyFile, identity.basicKeyHash),
    });
    return {
      applet: card.applet, cardData, tokenInfo, identity, identityFile, identitySignatureFile, address, addressFile,
      addressSignatureFile, photo, certificates, basicPublicKeyFile, integrity, apduCount: card.session.apduCount - before,
    };
  });
}
