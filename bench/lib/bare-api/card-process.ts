// The card side of the bare architecture: a child process that reads the card when asked and
// sends the files back, with no contract, schema, lock or cache. Bench use only.
import { PcscBackend } from '@t1c/smartcard/pcsc';
import { fullReadout } from '../full-read.js';

const send = process.send?.bind(process);
if (!send) throw new Error('bare card process: no IPC channel');
const backend = new PcscBackend();
process.on('message', (reader: unknown) => {
  if (typeof reader !== 'string') return;
  void fullReadout(backend, reader).then(
    (r) => send({ ok: true, identity: r.identityFile, identitySignature: r.identitySignatureFile, address: r.addressFile, addressSignature: r.addressSignatureFile, photo: r.photo, integrity: r.integrity }),
    (error: unknown) => send({ ok: false, error: String(error) }),
  );
});
process.on('disconnect', () => void backend.close().finally(() => process.exit(0)));
send({ ready: true });
