/** ISO 7816-4 status words, with the meanings the Belgian eID reference manuals give them. */
export const SW = {
  OK: 0x9000,
  WARNING_FILE_DEACTIVATED: 0x6283,
  NO_PRECISE_DIAGNOSIS: 0x6400,
  PINPAD_CANCELLED: 0x6401,
  PINPAD_PINS_DIFFER: 0x6402,
  PINPAD_WRONG_FORMAT: 0x6403,
  MEMORY_FAILURE: 0x6581,
  WRONG_LENGTH: 0x6700,
  CLA_FUNCTION_NOT_SUPPORTED: 0x6881,
  SECURITY_STATUS_NOT_SATISFIED: 0x6982,
  AUTH_METHOD_BLOCKED: 0x6983,
  CONDITIONS_NOT_SATISFIED: 0x6985,
  NO_CURRENT_EF: 0x6986,
  WRONG_DATA: 0x6a80,
  FILE_NOT_FOUND: 0x6a82,
  INCORRECT_P1P2: 0x6a86,
  LC_INCONSISTENT: 0x6a87,
  REFERENCE_NOT_FOUND: 0x6a88,
  WRONG_P1P2: 0x6b00,
  PINPAD_ERROR: 0x6b80,
  INS_NOT_SUPPORTED: 0x6d00,
  CLA_NOT_SUPPORTED: 0x6e00,
  NO_PRECISE_DIAGNOSIS_6F: 0x6f00,
} as const;

const meanings: ReadonlyMap<number, string> = new Map([
  [0x9000, 'success'],
  [0x6283, 'selected file deactivated'],
  [0x6400, 'no precise diagnosis (pinpad: timeout)'],
  [0x6401, 'cancelled on the pinpad'],
  [0x6402, 'new PINs differ'],
  [0x6403, 'wrong PIN format'],
  [0x6581, 'memory failure'],
  [0x6700, 'wrong length'],
  [0x6881, 'logical channel not supported'],
  [0x6982, 'security status not satisfied'],
  [0x6983, 'authentication method blocked'],
  [0x6985, 'conditions of use not satisfied'],
  [0x6986, 'command not allowed (no current EF)'],
  [0x6a80, 'incorrect data'],
  [0x6a82, 'file not found'],
  [0x6a86, 'incorrect P1-P2'],
  [0x6a87, 'Lc inconsistent with P1-P2'],
  [0x6a88, 'referenced data not found'],
  [0x6b00, 'wrong parameters (offset outside the file)'],
  [0x6b80, 'pinpad error'],
  [0x6d00, 'instruction not supported'],
  [0x6e00, 'class not supported'],
  [0x6f00, 'no precise diagnosis'],
]);

export function isOk(sw: number): boolean {
  return sw === SW.OK;
}

/** 61xx: xx more bytes are waiting for GET RESPONSE (00 = 256). */
export function bytesAvailable(sw: number): number | undefined {
  return sw >> 8 === 0x61 ? (sw & 0xff) || 256 : undefined;
}

/** 6Cxx: the card wants the command again with Le = xx (00 = 256). */
export function correctLe(sw: number): number | undefined {
  return sw >> 8 === 0x6c ? (sw & 0xff) || 256 : undefined;
}

/** 63Cx: verification failed, x tries left. */
export function triesLeft(sw: number): number | undefined {
  return (sw & 0xfff0) === 0x63c0 ? sw & 0x0f : undefined;
}

export function describeStatusWord(sw: number): string {
  const hex = sw.toString(16).toUpperCase().padStart(4, '0');
  const known = meanings.get(sw);
  if (known) return `${hex} ${known}`;
  const more = bytesAvailable(sw);
  if (more !== undefined) return `${hex} ${more} bytes available`;
  const le = correctLe(sw);
  if (le !== undefined) return `${hex} wrong Le, ${le} expected`;
  const tries = triesLeft(sw);
  if (tries !== undefined) return `${hex} verification failed, ${tries} tries left`;
  return `${hex} unknown status`;
}
