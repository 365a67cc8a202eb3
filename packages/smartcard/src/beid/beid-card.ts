import { command, type ResponseApdu } from '../codec/apdu.js';
import { fromHex, wipe } from '../codec/hex.js';
import { describeStatusWord, SW, triesLeft } from '../codec/status-words.js';
import { SmartCardError } from '../errors.js';
import type { CardSession } from '../reader/session.js';
import { parseCardData, parseTokenInfo, type BeidCardData, type BeidTokenInfo } from './card-data.js';
import { certificateFromFile, type BeidCertificateName } from './certificates.js';
import type { BeidApplet } from './applet.js';
import {
  BEID_PIN_REFERENCE, BeidFile, BeidKey, DIGEST_LENGTH,
  type AppletVersion, type BeidFileName, type DigestAlgorithm,
} from './constants.js';
import { parseAddress, parseIdentity, type BeidAddress, type BeidIdentity } from './identity.js';
import { pinBlock, pinpadVerifyStructure } from './pin.js';
import { derLength, readFile } from './read-file.js';
import { appletForAtr } from './recognise.js';

export type BeidSigningKey = 'authentication' | 'nonRepudiation';

/** How the PIN reaches the card: digits from the caller, or typed on the reader's pinpad. */
export type PinSource = { readonly kind: 'digits'; readonly pin: Uint8Array } | { readonly kind: 'pinpad' };

export interface SignRequest {
  readonly key: BeidSigningKey;
  readonly digest: Uint8Array;
  readonly algorithm: DigestAlgorithm;
  /** Omit only for the authentication key after a PIN was verified in this connection. */
  readonly pin?: PinSource;
}

const CERTIFICATE_FILES: Record<BeidCertificateName, BeidFileName> = {
  root: 'rootCert', ca: 'caCert', authentication: 'authenticationCert', nonRepudiation: 'nonRepudiationCert', rrn: 'rrnCert',
};

function fail(what: string, response: ResponseApdu): never {
  throw new SmartCardError('CARD_STATUS', `${what}: ${describeStatusWord(response.sw)}`, { sw: response.sw });
}

/** Maps a VERIFY answer to "done" or a PIN error carrying the tries left. */
export function checkVerifyAnswer(sw: number): void {
  if (sw === SW.OK) return;
  const tries = triesLeft(sw);
  if (tries !== undefined) {
    if (tries === 0) throw new SmartCardError('PIN_BLOCKED', 'wrong PIN; the PIN is now blocked', { triesLeft: 0 });
    throw new SmartCardError('PIN_INCORRECT', `wrong PIN, ${tries} tries left`, { triesLeft: tries });
  }
  if (sw === SW.AUTH_METHOD_BLOCKED) throw new SmartCardError('PIN_BLOCKED', 'the PIN is blocked', { triesLeft: 0 });
  if (sw === SW.NO_PRECISE_DIAGNOSIS) throw new SmartCardError('PIN_TIMEOUT', 'no PIN was entered on the pinpad in time', { sw });
  if (sw === SW.PINPAD_CANCELLED) throw new SmartCardError('PIN_CANCELLED', 'PIN entry was cancelled on the pinpad', { sw });
  if (sw === SW.PINPAD_WRONG_FORMAT) throw new SmartCardError('PIN_FORMAT', 'the PIN entered on the pinpad has a wrong format', { sw });
  throw new SmartCardError('CARD_STATUS', `VERIFY: ${describeStatusWord(sw)}`, { sw });
}

/**
 * The Belgian eID card family: file reads, PIN and signatures over one CardSession. The APDU
 * flows are here; what differs per applet version comes from its leaf (applet-1-7.ts,
 * applet-1-8.ts), chosen by the ATR.
 */
export class BeidCard {
  private constructor(readonly session: CardSession, readonly leaf: BeidApplet) {}

  static open(session: CardSession): BeidCard {
    const leaf = appletForAtr(session.connection.atr);
    if (!leaf) throw new SmartCardError('CARD_UNKNOWN', 'the card in the reader is not a Belgian eID');
    return new BeidCard(session, leaf);
  }

  get applet(): AppletVersion {
    return this.leaf.version;
  }

  readFile(name: BeidFileName): Promise<Uint8Array> {
    const oracle = name.endsWith('Cert') ? derLength : undefined;
    // RRN signature files are 256 bytes at most (RSA-2048, or padded EC DER), CC54 §6.2.
    const maxSize = name === 'identitySignature' || name === 'addressSignature' ? 256 : undefined;
    return readFile(this.session, BeidFile[name], oracle, maxSize);
  }

  async readCertificate(name: BeidCertificateName): Promise<Uint8Array | undefined> {
    return certificateFromFile(await this.readFile(CERTIFICATE_FILES[name]));
  }

  async readIdentity(): Promise<{ file: Uint8Array; identity: BeidIdentity }> {
    const file = await this.readFile('identity');
    return { file, identity: parseIdentity(file) };
  }

  async readAddress(): Promise<{ file: Uint8Array; address: BeidAddress }> {
    const file = await this.readFile('address');
    return { file, address: parseAddress(file) };
  }

  async readCardData(): Promise<BeidCardData> {
    return parseCardData(await this.readCardDataBytes());
  }

  /** GET CARD DATA's answer, unparsed, for readers that parse while the card answers the next command. */
  async readCardDataBytes(): Promise<Uint8Array> {
    const response = await this.session.transmit(command(0x80, 0xe4, 0x00, this.leaf.cardData.p2, new Uint8Array(0), this.leaf.cardData.le));
    if (response.sw !== SW.OK) fail('GET CARD DATA', response);
    return response.data;
  }

  async readTokenInfo(): Promise<BeidTokenInfo> {
    return parseTokenInfo(await this.readFile('tokenInfo'));
  }

  /** VERIFY without a PIN: tries left (undefined once verified) and whether it is blocked. */
  async pinStatus(): Promise<{ verified: boolean; triesLeft: number | undefined; blocked: boolean }> {
    const { sw } = await this.session.transmit(command(0x00, 0x20, 0x00, BEID_PIN_REFERENCE));
    if (sw === SW.OK) return { verified: true, triesLeft: undefined, blocked: false };
    if (sw === SW.AUTH_METHOD_BLOCKED) return { verified: false, triesLeft: 0, blocked: true };
    const tries = triesLeft(sw);
    if (tries !== undefined) return { verified: false, triesLeft: tries, blocked: tries === 0 };
    throw new SmartCardError('CARD_STATUS', `VERIFY status: ${describeStatusWord(sw)}`, { sw });
  }

  async verifyPin(source: PinSource): Promise<void> {
    if (source.kind === 'pinpad') {
      const features = await this.session.connection.features();
      if (features.verifyPinDirect === undefined) throw new SmartCardError('PCSC_UNSUPPORTED', 'the reader has no pinpad');
      const answer = await this.session.connection.control(features.verifyPinDirect, pinpadVerifyStructure(BEID_PIN_REFERENCE));
      if (answer.length !== 2) throw new SmartCardError('PCSC_COMM_ERROR', `pinpad answered ${answer.length} bytes`);
      checkVerifyAnswer(((answer[0] ?? 0) << 8) | (answer[1] ?? 0));
      return;
    }
    const block = pinBlock(source.pin);
    try {
      const { sw } = await this.session.transmit(command(0x00, 0x20, 0x00, BEID_PIN_REFERENCE, block));
      checkVerifyAnswer(sw);
    } finally {
      wipe(block);
    }
  }

  /** MSE:SET → VERIFY → PSO:CDS in one transaction, as the non-repudiation key demands. */
  async sign(request: SignRequest): Promise<Uint8Array> {
    const expected = DIGEST_LENGTH[request.algorithm];
    if (request.digest.length !== expected) {
      throw new SmartCardError('DIGEST_INVALID', `a ${request.algorithm} digest is ${expected} bytes, got ${request.digest.length}`);
    }
    if (request.key === 'nonRepudiation' && !request.pin) {
      throw new SmartCardError('PIN_REQUIRED', 'the signing key needs the PIN for every signature');
    }
    const { algorithm, dtbs } = this.leaf.signatureInput(request.algorithm, request.digest);
    const keyRef = request.key === 'authentication' ? BeidKey.authentication : BeidKey.nonRepudiation;
    return this.session.inTransaction(async () => {
      const selected = await this.session.transmit(command(0x00, 0xa4, 0x08, 0x0c, fromHex('3F00DF00')));
      if (selected.sw !== SW.OK) fail('SELECT DF(BELPIC)', selected);
      const mse = await this.session.transmit(command(0x00, 0x22, 0x41, 0xb6, Uint8Array.of(0x04, 0x80, algorithm, 0x84, keyRef)));
      if (mse.sw === SW.WRONG_DATA) throw new SmartCardError('ALGORITHM_UNSUPPORTED', `applet ${this.applet} refuses ${request.algorithm} with this key`);
      if (mse.sw !== SW.OK) fail('MSE:SET', mse);
      if (request.pin) await this.verifyPin(request.pin);
      const pso = await this.session.transmit(command(0x00, 0x2a, 0x9e, 0x9a, dtbs));
      if (pso.sw === SW.SECURITY_STATUS_NOT_SATISFIED) throw new SmartCardError('PIN_REQUIRED', 'the card wants the PIN before signing', { sw: pso.sw });
      if (pso.sw !== SW.OK) fail('PSO:COMPUTE DIGITAL SIGNATURE', pso);
      return pso.data;
    });
  }

  /** Digest algorithms both applets sign (1.7 through a DigestInfo, 1.8 natively or raw), in T1C's naming. */
  supportedAlgorithms(): string[] {
    return ['sha1', 'sha256', 'sha384', 'sha512'];
  }
}
