import { T1CError } from '../../errors.js';

interface Owned {
  readonly owner: string;
  readonly readerId: string;
}

/** Closed sessions remembered, so a late call hears "closed" rather than "unknown". */
const CLOSED_KEPT = 1_024;

/**
 * Which application opened which remote loading session, on which reader. The sandbox holds
 * the connection and its timer; this side forgets a session at the same timeout, on close, and
 * when the sandbox no longer knows it (restarted).
 */
export class SessionOwners {
  private readonly open = new Map<string, Owned & { readonly timer: NodeJS.Timeout }>();
  private readonly closed = new Map<string, Owned>();

  add(sessionId: string, owned: Owned, timeoutMs: number): void {
    const timer = setTimeout(() => this.forget(sessionId), timeoutMs);
    timer.unref();
    this.open.set(sessionId, { ...owned, timer });
  }

  /** The caller may use this session on this reader, or the T1C error saying why not. */
  check(sessionId: string, owner: string, readerId: string): void {
    const found = this.open.get(sessionId) ?? this.closed.get(sessionId);
    if (!found) throw new T1CError('SESSION_UNKNOWN');
    if (found.owner !== owner) throw new T1CError('SESSION_FOREIGN');
    if (!this.open.has(sessionId)) throw new T1CError('SESSION_CLOSED');
    if (found.readerId !== readerId) throw new T1CError('SESSION_OTHER_READER');
  }

  forget(sessionId: string): void {
    const found = this.open.get(sessionId);
    if (!found) return;
    clearTimeout(found.timer);
    this.open.delete(sessionId);
    this.closed.set(sessionId, { owner: found.owner, readerId: found.readerId });
    if (this.closed.size > CLOSED_KEPT) {
      const oldest = this.closed.keys().next();
      if (!oldest.done) this.closed.delete(oldest.value);
    }
  }

  close(): void {
    for (const id of [...this.open.keys()]) this.forget(id);
  }
}
