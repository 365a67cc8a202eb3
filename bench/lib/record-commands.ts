import { CardSession, type CardConnection, type ReaderBackend } from '@t1c/smartcard';
import { BeidCard, readAll } from '@t1c/smartcard/beid';

/** The raw commands one full read sends, captured below the session layer. */
export async function recordCommands(backend: ReaderBackend, reader: string): Promise<Uint8Array[]> {
  const connection = await backend.connect(reader);
  const commands: Uint8Array[] = [];
  const recording: CardConnection = new Proxy(connection, {
    get(target, property, receiver) {
      if (property === 'transmit') return (c: Uint8Array) => { commands.push(c); return target.transmit(c); };
      const value: unknown = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  try {
    await readAll(BeidCard.open(new CardSession(recording)));
  } finally {
    await connection.disconnect();
  }
  return commands;
}

/** The PC/SC floor through our binding: the same commands in one transaction, no parsing. */
export async function rawReplay(backend: ReaderBackend, reader: string, commands: readonly Uint8Array[]): Promise<void> {
  const connection = await backend.connect(reader);
  try {
    await connection.beginTransaction();
    for (const c of commands) await connection.transmit(c);
    await connection.endTransaction();
  } finally {
    await connection.disconnect();
  }
}
