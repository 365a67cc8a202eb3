import { readFileSync, statSync } from 'node:fs';
import { isRegistrationKey } from '@t1c/ds/client';

/** A registration key file holds one key and a newline; anything much larger is the wrong file. */
const MAX_FILE_BYTES = 4096;

/**
 * The registration key from a file (`--registration-key-file`), trimmed and checked. Errors name
 * the file, never its content: a wrong file may hold another secret.
 */
export function readRegistrationKeyFile(path: string): string {
  let text: string;
  try {
    if (statSync(path).size > MAX_FILE_BYTES) throw new Error(`larger than ${MAX_FILE_BYTES} bytes`);
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new Error(`--registration-key-file ${path}: cannot read it (${reason})`);
  }
  const key = text.trim();
  if (key === '') throw new Error(`--registration-key-file ${path}: the file is empty`);
  if (!isRegistrationKey(key)) throw new Error(`--registration-key-file ${path}: the file does not hold a registration key (one line t1crk_…, as issued by the DS)`);
  return key;
}

export const REGISTRATION_KEY_FLAG_REFUSED =
  '--registration-key is not accepted: a key on the command line is visible to every user (ps). Put it in a file and pass --registration-key-file FILE, or set T1C_REGISTRATION_KEY';
