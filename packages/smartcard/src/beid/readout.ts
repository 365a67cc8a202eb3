import type { BeidCard } from './beid-card.js';
import { parseCardData, parseTokenInfo, type BeidCardData, type BeidTokenInfo } from './card-data.js';
import { certificateFromFile, type BeidCertificateName } from './certificates.js';
import type { AppletVersion } from './constants.js';
import { parseAddress, parseIdentity, type BeidAddress, type BeidIdentity } from './identity.js';
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
 * Runs `work` once the code that called this has yielded. In readAll every step yields only
 * after it sent its next command, so parsing and checking run while the card answers it
 * instead of between two commands. Awaited later; a failure surfaces there and is never an
 * unhandled rejection (a check whose input failed to parse is simply not awaited).
 */
function whileCardAnswers<T>(work: () => T | Promise<T>): Promise<T> {
  const result = Promise.resolve().then(work);
  result.catch(() => undefined);
  return result;
}

/**
 * Reads every file in one transaction, so another application cannot interleave. Each file is
 * parsed and each check started while the card answers the next command (the RRN and root
 * certificates come first, so the signature checks start early and overlap the rest of the
 * reading); the transaction ends as soon as the last answer is in, and every parse and check
 * is awaited before the readout is returned.
 */
export async function readAll(card: BeidCard): Promise<BeidReadout> {
  const session = card.session;
  const before = session.apduCount;
  const read = await session.inTransaction(async () => {
    const cardDataBytes = await card.readCardDataBytes();
    const cardData = whileCardAnswers(() => parseCardData(cardDataBytes));
    const tokenInfoFile = await card.readFile('tokenInfo');
    const tokenInfo = whileCardAnswers(() => parseTokenInfo(tokenInfoFile));
    const rrnFile = await card.readFile('rrnCert');
    const rrn = certificateFromFile(rrnFile);
    const signer = whileCardAnswers(() => rrnSigner(rrn));
    const rootFile = await card.readFile('rootCert');
    const root = certificateFromFile(rootFile);
    const rrnCertificate = whileCardAnswers(async () => checkRrnCertificate(await signer, root));
    const identityFile = await card.readFile('identity');
    const identity = whileCardAnswers(() => parseIdentity(identityFile));
    const identitySignatureFile = await card.readFile('identitySignature');
    const identitySignature = whileCardAnswers(async () =>
      checkIdentitySignature(await signer, identityFile, identitySignatureFile, (await identity).photoHash.length));
    const addressFile = await card.readFile('address');
    const address = whileCardAnswers(() => parseAddress(addressFile));
    const addressSignatureFile = await card.readFile('addressSignature');
    // After the identity check, not beside it: two signature checks at once can take every
    // core of a small machine from the PC/SC service and the card, and the rest of the
    // reading leaves ample time for both in turn.
    const addressSignature = whileCardAnswers(async () => {
      await identitySignature;
      return checkAddressSignature(await signer, addressFile, identitySignatureFile, addressSignatureFile, (await identity).photoHash.length);
    });
    const photo = await card.readFile('photo');
    const photoHash = whileCardAnswers(async () => checkPhotoHash(photo, (await identity).photoHash));
    const certificates = {
      root,
      ca: certificateFromFile(await card.readFile('caCert')),
      authentication: certificateFromFile(await card.readFile('authenticationCert')),
      nonRepudiation: certificateFromFile(await card.readFile('nonRepudiationCert')),
      rrn,
    };
    const basicPublicKeyFile = card.leaf.hasBasicPublicKey ? await card.readFile('basicPublicKey') : undefined;
    const basicKeyHash = whileCardAnswers(async () => checkBasicKeyHash(basicPublicKeyFile, (await identity).basicKeyHash));
    return {
      cardData, tokenInfo, identity, identityFile, identitySignatureFile, address, addressFile, addressSignatureFile, photo,
      certificates, basicPublicKeyFile, apduCount: session.apduCount - before,
      checks: { identitySignature, addressSignature, photoHash, rrnCertificate, basicKeyHash },
    };
  });
  // A parse failure rejects here, after the card was released; the checks then still settle unobserved.
  const [cardData, tokenInfo, identity, address] = await Promise.all([read.cardData, read.tokenInfo, read.identity, read.address]);
  const integrity = await integrityReport(read.checks);
  return {
    applet: card.applet, cardData, tokenInfo, identity, identityFile: read.identityFile, identitySignatureFile: read.identitySignatureFile,
    address, addressFile: read.addressFile, addressSignatureFile: read.addressSignatureFile, photo: read.photo,
    certificates: read.certificates, basicPublicKeyFile: read.basicPublicKeyFile, integrity, apduCount: read.apduCount,
  };
}
