import { SW } from '@t1c/smartcard/codec';
import { BEID_PIN_REFERENCE, BeidKey } from './card-spec.js';
import { announce, status, type CardContext, type CommandHandler } from './card-context.js';
import { algorithmSupported, cardSign, dtbsLengthValid, internalAuthenticateLengths } from './card-signing.js';
import { decodePinBlock } from './pin-state.js';

const PIN_BLOCK_LENGTH = 8;

function pinReferenceError(p1: number, p2: number): number | undefined {
  if (p1 !== 0) return SW.INCORRECT_P1P2;
  if (p2 !== BEID_PIN_REFERENCE) return SW.REFERENCE_NOT_FOUND;
  return undefined;
}

/** VERIFY: format-2 block, or no data to ask the status without spending a try. */
export const verify: CommandHandler = (card, { p1, p2, data }) => {
  const error = pinReferenceError(p1, p2);
  if (error !== undefined) return status(error);
  if (data.length === 0) return status(card.pin.status());
  if (data.length !== PIN_BLOCK_LENGTH) return status(SW.WRONG_LENGTH);
  const pin = decodePinBlock(data);
  if (pin === undefined) return status(SW.WRONG_DATA);
  return status(card.pin.present(pin));
};

/** CHANGE REFERENCE DATA: old block ‖ new block. */
export const changeReferenceData: CommandHandler = (card, { p1, p2, data }) => {
  const error = pinReferenceError(p1, p2);
  if (error !== undefined) return status(error);
  if (data.length !== 2 * PIN_BLOCK_LENGTH) return status(SW.WRONG_LENGTH);
  const oldPin = decodePinBlock(data.subarray(0, PIN_BLOCK_LENGTH));
  const newPin = decodePinBlock(data.subarray(PIN_BLOCK_LENGTH));
  if (oldPin === undefined || newPin === undefined) return status(SW.WRONG_DATA);
  return status(card.pin.change(oldPin, newPin));
};

export const logOff: CommandHandler = (card, { p1, p2 }) => {
  if (p1 !== 0 || p2 !== 0) return status(SW.INCORRECT_P1P2);
  card.pin.logOff();
  return status(SW.OK);
};

function keyExists(card: CardContext, key: number): boolean {
  if (key === BeidKey.authentication) return true;
  if (key === BeidKey.nonRepudiation) return card.hasNonRepudiationKey;
  return key === BeidKey.basic && card.applet === '1.8';
}

/** MSE:SET `41 B6` with `04 80 <algo> 84 <key>`; algorithms and keys checked per applet. */
export const manageSecurityEnvironment: CommandHandler = (card, { p1, p2, data }) => {
  if (p1 !== 0x41 || p2 !== 0xb6) return status(SW.INCORRECT_P1P2);
  if (data.length !== 5) return status(SW.WRONG_LENGTH);
  const [length, algoTag, algorithm = 0, keyTag, key = 0] = data;
  if (length !== 0x04 || algoTag !== 0x80 || keyTag !== 0x84) return status(SW.WRONG_DATA);
  card.pin.closeJustBeforeWindow();
  card.se = undefined;
  if (!keyExists(card, key)) return status(SW.REFERENCE_NOT_FOUND);
  const supported = key === BeidKey.basic ? internalAuthenticateLengths.has(algorithm) : algorithmSupported(card.applet, algorithm);
  if (!supported) return status(SW.WRONG_DATA);
  card.se = { key, algorithm };
  return status(SW.OK);
};

/** PSO: COMPUTE DIGITAL SIGNATURE with the key and algorithm MSE:SET chose; answer via 61xx. */
export const computeDigitalSignature: CommandHandler = (card, { p1, p2, data }) => {
  if (p1 !== 0x9e || p2 !== 0x9a) return status(SW.INCORRECT_P1P2);
  const se = card.se;
  if (!se || se.key === BeidKey.basic) return status(SW.CONDITIONS_NOT_SATISFIED);
  if (!dtbsLengthValid(card.applet, se.algorithm, data.length)) return status(SW.WRONG_LENGTH);
  const nonRepudiation = se.key === BeidKey.nonRepudiation;
  const allowed = nonRepudiation
    ? card.pin.authorises('nonRepudiation', card.applet === '1.7' ? 0 : 1)
    : card.pin.authorises('authentication', 0);
  if (!allowed) return status(SW.SECURITY_STATUS_NOT_SATISFIED);
  const key = nonRepudiation ? card.image.keys.nonRepudiation : card.image.keys.authentication;
  const signature = cardSign(card.applet, se.algorithm, key, data);
  if (nonRepudiation) card.pin.nonRepudiationUsed();
  else card.pin.closeJustBeforeWindow();
  return announce(card, signature);
};

/** INTERNAL AUTHENTICATE (1.8): `94 <len> <challenge>` signed by the basic key 81; no PIN, clears the SE. */
export const internalAuthenticate: CommandHandler = (card, { p1, p2, data }) => {
  if (card.applet !== '1.8') return status(SW.INS_NOT_SUPPORTED);
  if (p2 !== BeidKey.basic) return status(SW.REFERENCE_NOT_FOUND);
  const expected = internalAuthenticateLengths.get(p1);
  if (expected === undefined) return status(SW.INCORRECT_P1P2);
  if (data.length < 2 || data[1] !== data.length - 2 || data.length - 2 !== expected) return status(SW.WRONG_LENGTH);
  if (data[0] !== 0x94) return status(SW.WRONG_DATA);
  const key = card.image.keys.basic;
  if (!key) return status(SW.REFERENCE_NOT_FOUND);
  const signature = cardSign(card.applet, p1, key, data.subarray(2));
  card.se = undefined;
  card.pin.closeJustBeforeWindow();
  return announce(card, signature);
};
