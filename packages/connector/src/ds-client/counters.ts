import { newCounterBatchId, type CounterEntryInput } from '@t1c/ds/client';

export type UseCase = 'identity-read' | 'pin-verification' | 'signature' | 'authentication';

/**
 * Transaction counters since the last acknowledged sync. A batch, once sent, keeps its id
 * until the DS acknowledges it, so a retried sync never counts twice.
 */
export class TransactionCounters {
  private current = new Map<string, CounterEntryInput>();
  private inFlight: { batchId: string; entries: CounterEntryInput[] } | undefined;

  constructor(private readonly today: () => string = () => new Date().toISOString().slice(0, 10)) {}

  count(application: string, tag: string, module: string, useCase: UseCase): void {
    const day = this.today();
    const key = JSON.stringify([application, tag, module, useCase, day]);
    const entry = this.current.get(key);
    if (entry) entry.count = (entry.count ?? 0) + 1;
    else this.current.set(key, { application: counterApplication(application), tag: sanitizeTag(tag), module, useCase, day, count: 1 });
  }

  /** The batch to send: the unacknowledged one again, or the counts gathered since. */
  batch(): { batchId: string; entries: CounterEntryInput[] } | undefined {
    if (this.inFlight) return this.inFlight;
    if (this.current.size === 0) return undefined;
    this.inFlight = { batchId: newCounterBatchId(), entries: [...this.current.values()].slice(0, 1000) };
    this.current = new Map();
    return this.inFlight;
  }

  acknowledge(batchId: string): void {
    if (this.inFlight?.batchId === batchId) this.inFlight = undefined;
  }

  /** Everything not yet acknowledged, for `GET /ds/transactions`. */
  pending(): CounterEntryInput[] {
    return [...(this.inFlight?.entries ?? []), ...this.current.values()];
  }
}

/** How an application (JWT `sub`) is named in the counters. */
export function counterApplication(application: string): string {
  return application.slice(0, 200) || 'unknown';
}

/** Billing tags come from a request header: printable ASCII, bounded. */
function sanitizeTag(tag: string): string {
  return tag.replace(/[^\x20-\x7e]/g, '').slice(0, 200);
}
