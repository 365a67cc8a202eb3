import type { Connection } from '../connection.js';
import type { CcidFeature, RemoteApdu, RemoteCommandResult } from '../types/remoteloading.js';

const PREFIX = '/v3/modules/remoteloading/apps/hsm/readers';

/**
 * Remote loading on one reader (t1c-api.md §2.9): APDUs from the application's backend, paths
 * and bodies as the wire has them. A session belongs to the application (JWT) that opened it
 * and is closed by the connector at its timeout; calls without `sessionId` use a connection of
 * their own. A `commands`/`apdus` batch runs in one card transaction.
 */
export class RemoteLoading {
  constructor(
    private readonly connection: Connection,
    readonly readerId: string,
  ) {}

  private post<T>(op: string, body: Record<string, unknown>): Promise<T> {
    return this.connection.call<T>(`${PREFIX}/${encodeURIComponent(this.readerId)}/${op}`, { method: 'POST', body });
  }

  /** Opens a session; `timeoutSeconds` (default the connector's, 60 s) closes it if left open. */
  openSession(timeoutSeconds?: number): Promise<string> {
    return this.post('open-session', timeoutSeconds === undefined ? {} : { timeout: timeoutSeconds });
  }
  closeSession(sessionId: string): Promise<string> {
    return this.post('close-session', { sessionId });
  }
  command(command: string, sessionId?: string): Promise<RemoteCommandResult> {
    return this.post('command', { command, sessionId });
  }
  commands(commands: readonly string[], sessionId?: string): Promise<RemoteCommandResult[]> {
    return this.post('commands', { commands, sessionId });
  }
  apdu(apdu: RemoteApdu, sessionId?: string): Promise<RemoteCommandResult> {
    return this.post('apdu', { apdu, sessionId });
  }
  apdus(apdus: readonly RemoteApdu[], sessionId?: string): Promise<RemoteCommandResult[]> {
    return this.post('apdus', { apdus, sessionId });
  }
  /** The card's ATR, hex. */
  atr(sessionId?: string): Promise<string> {
    return this.post('atr', { sessionId });
  }
  cardPresent(sessionId?: string): Promise<boolean> {
    return this.post('card-present', { sessionId });
  }
  /** The reader's PC/SC part 10 features as GET_FEATURE_REQUEST TLV, hex ('' when it has none). */
  ccidFeatures(sessionId?: string): Promise<string> {
    return this.post('ccid-features', { sessionId });
  }
  ccid(feature: CcidFeature, command: string, sessionId?: string): Promise<RemoteCommandResult> {
    return this.post('ccid', { feature, command, sessionId });
  }
}
