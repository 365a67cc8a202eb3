import type { CommandApdu } from '@t1c/smartcard/codec';
import { SmartCardError } from '@t1c/smartcard/errors';
import { CardSession, type CardConnection } from '@t1c/smartcard/reader';
import { SandboxError, type CcidFeatureName, type RemoteExchange } from '../../ipc/index.js';
import type { CardModule, ReaderAccess } from '../card-module.js';
import { parseCommandApdu } from './command-apdu.js';
import { RemoteSessions } from './sessions.js';

/** PC/SC part 10 feature tags (GET_FEATURE_REQUEST), as `ccid-features` lists them. */
const FEATURE_TAGS = { verifyPinDirect: 0x06, modifyPinDirect: 0x07, pinProperties: 0x0a, tlvProperties: 0x12 } as const;
const FEATURE_OF: Record<CcidFeatureName, 'verifyPinDirect' | 'modifyPinDirect' | 'tlvProperties'> = {
  VERIFY_PIN_DIRECT: 'verifyPinDirect', MODIFY_PIN_DIRECT: 'modifyPinDirect', GET_TLV_PROPERTIES: 'tlvProperties',
};

/**
 * Remote loading: APDUs from the application's backend, sent as they are. A call with a
 * session uses the session's connection; a call without one opens a connection for itself and
 * closes it (T1C: "calls without a session open and close one implicitly"). Every card exchange
 * runs under the reader's lock and, for APDUs, in one PC/SC transaction per call: a batch is
 * never interleaved with another application, and nothing stays locked once it is answered.
 */
export function remoteloadingModule(): CardModule<'remoteloading'> {
  let readers: ReaderAccess | undefined;
  const access = (): ReaderAccess => {
    if (!readers) throw new SandboxError('SANDBOX_INTERNAL', 'remote loading was not attached to a card service');
    return readers;
  };
  const sessions = new RemoteSessions(access);

  /** Runs `work` on the session's connection, or on a connection made for this call. */
  const onConnection = async <T>(reader: string | null, sessionId: string | undefined, work: (connection: CardConnection) => Promise<T>): Promise<T> => {
    if (reader === null) throw new SandboxError('READER_REQUIRED', 'remote loading needs a reader');
    if (sessionId !== undefined) {
      const session = sessions.get(sessionId);
      try {
        return await access().withReaderLock(session.readerName, () => work(session.connection));
      } catch (error) {
        // The card this session was opened on is gone: the session is over.
        if (error instanceof SmartCardError && (error.code === 'PCSC_CARD_REMOVED' || error.code === 'PCSC_NO_CARD' || error.code === 'PCSC_CARD_RESET')) {
          await sessions.close(sessionId);
        }
        throw error;
      }
    }
    const { connection, readerName } = await access().connect(reader);
    try {
      return await access().withReaderLock(readerName, () => work(connection));
    } finally {
      await connection.disconnect('leave').catch(() => undefined);
    }
  };

  return {
    name: 'remoteloading',
    // Any card: remote loading is chosen by the page, never by the ATR.
    atrs: [],
    attach: (given) => {
      readers = given;
    },
    ops: {
      openSession: async ({ timeoutSeconds }, reader) => {
        if (reader === null) throw new SandboxError('READER_REQUIRED', 'remote loading needs a reader');
        return { sessionId: await sessions.open(reader, timeoutSeconds * 1000) };
      },
      closeSession: async ({ sessionId }) => ({ closed: await sessions.close(sessionId) }),
      transmit: async ({ sessionId, apdus }, reader) => {
        // Every APDU is checked before the card is touched: a bad one sends none of the batch.
        const commands = apdus.map(parseCommandApdu);
        return onConnection(reader, sessionId, (connection) => sendAll(connection, apdus, commands));
      },
      atr: async ({ sessionId }, reader) => onConnection(reader, sessionId, async (connection) => ({ atr: connection.atr })),
      cardPresent: async ({ sessionId }, reader) => {
        try {
          // An empty transaction: it fails once the card is gone or was reset.
          return await onConnection(reader, sessionId, async (connection) => {
            await connection.beginTransaction();
            await connection.endTransaction('leave');
            return { present: true };
          });
        } catch (error) {
          if (error instanceof SmartCardError && ['PCSC_NO_CARD', 'PCSC_CARD_REMOVED', 'PCSC_CARD_RESET', 'PCSC_CARD_UNRESPONSIVE'].includes(error.code)) return { present: false };
          throw error;
        }
      },
      ccidFeatures: async ({ sessionId }, reader) => onConnection(reader, sessionId, async (connection) => {
        const features = await connection.features();
        return {
          features: (Object.keys(FEATURE_TAGS) as (keyof typeof FEATURE_TAGS)[])
            .flatMap((name) => {
              const controlCode = features[name];
              return controlCode === undefined ? [] : [{ tag: FEATURE_TAGS[name], controlCode }];
            }),
        };
      }),
      ccid: async ({ sessionId, feature, command }, reader) => onConnection(reader, sessionId, async (connection) => {
        const controlCode = (await connection.features())[FEATURE_OF[feature]];
        if (controlCode === undefined) throw new SmartCardError('PCSC_UNSUPPORTED', `the reader does not offer ${feature}`);
        return { response: await connection.control(controlCode, command) };
      }),
    },
    forget: (readerName) => {
      void sessions.forgetReader(readerName);
    },
    close: () => sessions.closeAll(),
  };
}

/** The batch in one PC/SC transaction: no other application's APDU falls between two of ours. */
async function sendAll(connection: CardConnection, apdus: readonly Uint8Array[], commands: readonly CommandApdu[]): Promise<{ exchanges: RemoteExchange[] }> {
  const session = new CardSession(connection);
  const exchanges = await session.inTransaction(async () => {
    const out: RemoteExchange[] = [];
    for (const [index, command] of commands.entries()) {
      const response = await session.transmit(command);
      out.push({ tx: apdus[index] ?? new Uint8Array(0), rx: response.data, sw: response.sw });
    }
    return out;
  });
  return { exchanges };
}
