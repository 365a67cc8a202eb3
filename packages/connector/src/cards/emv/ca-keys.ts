import { EmvCaKeyTable } from '@t1c/smartcard/emv';
import type { EmvCaKeyFile } from '../../config/emv-ca-keys.js';

/** The table of an `emvCaKeys` file: its keys alone, in place of the production keys (never beside them). */
export function emvCaKeyTable(file: EmvCaKeyFile): EmvCaKeyTable {
  return new EmvCaKeyTable(file.keys);
}
