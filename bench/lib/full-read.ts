import { CardSession, type ReaderBackend } from '@t1c/smartcard';
import { BeidCard, readAll, type BeidReadout } from '@t1c/smartcard/beid';

/** The card-stack floor: one full Belgian eID read straight over a backend, no API. */
export async function fullReadout(backend: ReaderBackend, readerName: string): Promise<BeidReadout> {
  const connection = await backend.connect(readerName);
  try {
    return await readAll(BeidCard.open(new CardSession(connection)));
  } finally {
    await connection.disconnect();
  }
}

/** fullReadout's APDU count. */
export async function fullRead(backend: ReaderBackend, readerName: string): Promise<number> {
  return (await fullReadout(backend, readerName)).apduCount;
}
