import type { Store } from '../store/store.js';
import type { Version } from '../store/model.js';

/**
 * What every sync answer shares (all allowed origins, all versions), read at most once per
 * `ttlMs` per replica instead of twice per sync. Writes through this replica's admin API
 * invalidate it at once; writes through another replica show up within `ttlMs`, which is
 * nothing next to an 8-hour sync cycle.
 */
export class SyncSnapshot {
  private value: { at: number; origins: string[]; versions: Version[] } | null = null;
  private loading: Promise<{ at: number; origins: string[]; versions: Version[] }> | null = null;
  private generation = 0;

  constructor(private readonly store: Store, private readonly ttlMs = 2000) {}

  async get(): Promise<{ origins: string[]; versions: Version[] }> {
    if (this.value !== null && Date.now() - this.value.at < this.ttlMs) return this.value;
    const generation = this.generation;
    this.loading ??= Promise.all([this.store.applications.allOrigins(), this.store.versions.list()])
      .then(([origins, versions]) => ({ at: Date.now(), origins, versions }))
      .finally(() => { this.loading = null; });
    const loaded = await this.loading;
    // A load that started before an invalidation may hold old data: use it once, keep nothing.
    if (generation === this.generation) this.value = loaded;
    return loaded;
  }

  invalidate(): void {
    this.generation++;
    this.value = null;
    this.loading = null;
  }
}
