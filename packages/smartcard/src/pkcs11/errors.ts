import { SmartCardError } from '../errors.js';
import { ckrErrors } from './constants.js';

/** Turns a CK_RV into a typed error naming the Cryptoki call that failed. */
export function ckrError(call: string, rv: number): SmartCardError {
  const hex = `0x${(rv >>> 0).toString(16).toUpperCase().padStart(8, '0')}`;
  const [name, code] = ckrErrors.get(rv) ?? [hex, 'PKCS11_ERROR' as const];
  return new SmartCardError(code, `${call} failed: ${name}`, { call, ckr: hex, ckrName: name });
}

export function check(call: string, rv: number): void {
  if (rv !== 0) throw ckrError(call, rv);
}
