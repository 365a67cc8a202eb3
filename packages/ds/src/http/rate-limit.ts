import { DsError } from '../errors.js';

/**
 * Fixed-window counters kept in memory. Per replica on purpose: no database round trip on
 * the hot path, and N replicas simply allow N times the budget, which is documented.
 */
export class RateLimiter {
  private readonly windows = new Map<string, { count: number; resetAt: number }>();
  private lastSweep = Date.now();

  constructor(private readonly max: number, private readonly windowMs: number) {}

  /** Counts one hit for `key`; throws a 429 DsError with Retry-After when over budget. */
  hit(key: string): void {
    const now = Date.now();
    if (now - this.lastSweep > this.windowMs) this.sweep(now);
    let w = this.windows.get(key);
    if (w === undefined || w.resetAt <= now) {
      w = { count: 0, resetAt: now + this.windowMs };
      this.windows.set(key, w);
    }
    w.count++;
    if (w.count > this.max) throw new DsError('rateLimited', undefined, Math.max(1, Math.ceil((w.resetAt - now) / 1000)));
  }

  private sweep(now: number): void {
    this.lastSweep = now;
    for (const [key, w] of this.windows) if (w.resetAt <= now) this.windows.delete(key);
  }
}
