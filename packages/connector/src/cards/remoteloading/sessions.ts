import { randomBytes } from 'node:crypto';
import type { CardConnection } from '@t1c/smartcard/reader';
import { MAX_REMOTE_SESSIONS, SandboxError } from '../../ipc/index.js';
import type { ReaderAccess } from '../card-module.js';

interface HeldSession {
  readonly readerName: string;
  readonly connection: CardConnection;
  readonly timer: NodeJS.Timeout;
}

/**
 * The remote loading sessions the sandbox holds: a shared connection each, closed by its own
 * timer when the caller never closes it. No transaction is held between calls, so a session
 * never locks the reader for other modules.
 */
export class RemoteSessions {
  private readonly held = new Map<string, HeldSession>();

  constructor(private readonly readers: () => ReaderAccess) {}

  async open(readerId: string, timeoutMs: number): Promise<string> {
    if (this.held.size >= MAX_REMOTE_SESSIONS) throw new SandboxError('SESSION_LIMIT', `at most ${MAX_REMOTE_SESSIONS} remote loading sessions at once`);
    const { connection, readerName } = await this.readers().connect(readerId);
    const sessionId = randomBytes(16).toString('hex');
    const timer = setTimeout(() => void this.close(sessionId), timeoutMs);
    timer.unref();
    this.held.set(sessionId, { readerName, connection, timer });
    return sessionId;
  }

  /** The session's connection, or SESSION_UNKNOWN: closed, timed out, or never opened here. */
  get(sessionId: string): HeldSession {
    const session = this.held.get(sessionId);
    if (!session) throw new SandboxError('SESSION_UNKNOWN', 'no open remote loading session with this id');
    return session;
  }

  async close(sessionId: string): Promise<boolean> {
    const session = this.held.get(sessionId);
    if (!session) return false;
    this.held.delete(sessionId);
    clearTimeout(session.timer);
    // Under the reader lock: a batch running on this connection finishes first. A reader busy
    // past the wait still gets the connection closed: a closed session never holds the card.
    await this.readers().withReaderLock(session.readerName, () => session.connection.disconnect('leave'))
      .catch(() => session.connection.disconnect('leave'))
      .catch(() => undefined);
    return true;
  }

  /** The card in this reader went away: its sessions talk to nothing any more. */
  async forgetReader(readerName: string): Promise<void> {
    const ids = [...this.held].filter(([, s]) => s.readerName === readerName).map(([id]) => id);
    await Promise.all(ids.map((id) => this.close(id)));
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.held.keys()].map((id) => this.close(id)));
  }
}
