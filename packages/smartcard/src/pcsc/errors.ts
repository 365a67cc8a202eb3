import { SmartCardError } from '../errors.js';
import { pcscErrors } from './constants.js';

/** Turns a PC/SC return code into a typed error naming the call that failed. */
export function pcscError(call: string, rv: number): SmartCardError {
  const code = rv >>> 0;
  const hex = `0x${code.toString(16).toUpperCase().padStart(8, '0')}`;
  const known = pcscErrors.get(code);
  const [name, errorCode] = known ?? [hex, 'PCSC_ERROR' as const];
  return new SmartCardError(errorCode, `${call} failed: ${name}`, { call, pcscCode: hex, pcscName: name });
}
