import type { SmartCardError } from '@t1c/smartcard';

/** One line a person at the desk understands, for each way a card command can fail. */
export function describeCardError(error: SmartCardError): string {
  switch (error.code) {
    case 'PCSC_NO_SERVICE':
      return 'the PC/SC service is not running (start pcscd)';
    case 'PCSC_LIBRARY_MISSING':
      return 'the PC/SC library is not installed (apt-get install libpcsclite1 pcscd)';
    case 'PCSC_NO_READERS':
      return 'no card reader found';
    case 'PCSC_NO_CARD':
      return `no card: ${error.message}`;
    case 'PCSC_CARD_REMOVED':
    case 'PCSC_CARD_RESET':
      return 'the card was removed during the operation; insert it and try again';
    case 'CARD_UNKNOWN':
      return 'the card is not a Belgian eID';
    case 'PIN_INCORRECT':
      return `wrong PIN, ${String(error.details.triesLeft)} tries left`;
    case 'PIN_BLOCKED':
      return 'the PIN is blocked';
    default:
      return error.message;
  }
}
