import { parseCommand, type CommandApdu } from '@t1c/smartcard/codec';
import { SandboxError } from '../../ipc/index.js';

/** The APDU as the card module sends it; a malformed one is refused without echoing its bytes (it may hold a PIN). */
export function parseCommandApdu(bytes: Uint8Array): CommandApdu {
  try {
    return parseCommand(bytes);
  } catch {
    throw new SandboxError('ARGS_INVALID', 'invalid arguments for remoteloading.transmit: apdus');
  }
}
