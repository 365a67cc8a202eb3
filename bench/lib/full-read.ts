import { CardSession, type ReaderBackend } from '@t1c/smartcard';
import { BeidCard, readAll } from '@t1c/smartcard/beid';

/** The card-stack floor: one full Belgian eID read straight over a backend, no API. Returns the APDU count. */
export async function fullRead(backend: ReaderBackend, readerName: string): Promise<number> {
  const connection = await backend.connect(readerName);
  try {
    return (await readAll(BeidCard.open(new CardSession(connection)))).apduCount;
  } finally {
    await connection.disconnect();
  }
}
