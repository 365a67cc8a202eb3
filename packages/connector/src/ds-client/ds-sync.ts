import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { KeyObject } from 'node:crypto';
import { DsDeviceClient, type OsName, type SyncData } from '@t1c/ds/client';
import { writePrivateFile } from '../security/private-file.js';
import { TransactionCounters } from './counters.js';

export interface DsSyncOptions {
  readonly dsUrl: string;
  readonly registrationKey: string | undefined;
  readonly dataDir: string;
  readonly deviceKey: KeyObject;
  readonly version: string;
  readonly os: OsName;
  readonly random?: () => number;
  readonly onUpdate?: (data: SyncData) => void;
  readonly onError?: (error: unknown) => void;
}

interface SavedState {
  readonly deviceId: string | undefined;
  readonly lastSync: SyncData | undefined;
  readonly syncedAt: string | undefined;
}

const STATE_FILE = 'ds-state.json';
const MIN_BACKOFF_MS = 5_000;
const MAX_BACKOFF_MS = 10 * 60_000;

/**
 * The connector's side of the DS: registers once, then syncs at start and every `ds.cycle`,
 * keeping the last good answer on disk so the connector works offline with what it knew.
 */
export class DsSync {
  readonly counters = new TransactionCounters();
  private readonly client: DsDeviceClient;
  private state: SavedState;
  private timer: NodeJS.Timeout | undefined;
  private failures = 0;
  private stopped = false;
  private running: Promise<void> | undefined;

  constructor(private readonly options: DsSyncOptions) {
    this.state = loadState(options.dataDir);
    this.client = new DsDeviceClient({ dsUrl: options.dsUrl, privateKey: options.deviceKey, ...(this.state.deviceId ? { deviceId: this.state.deviceId } : {}) });
  }

  /** The last good sync (from disk before the first one of this run succeeds). */
  get last(): SyncData | undefined {
    return this.state.lastSync;
  }

  get deviceId(): string | undefined {
    return this.state.deviceId;
  }

  /** Syncs after a random delay of up to `maxDelayMs` (0: at once; a fleet restarting together must not stampede), then every `ds.cycle`. */
  start(maxDelayMs = 5_000): void {
    const random = this.options.random ?? Math.random;
    this.schedule(Math.floor(random() * maxDelayMs));
    if (this.state.lastSync) this.options.onUpdate?.(this.state.lastSync);
  }

  /** One sync now (registering first if needed); resolves when it is done or has failed. */
  syncNow(): Promise<void> {
    this.running ??= this.runOnce().finally(() => { this.running = undefined; });
    return this.running;
  }

  async uploadLogs(content: string): Promise<{ id: string; size: number }> {
    if (!this.client.deviceId) await this.syncNow();
    return this.client.uploadLogs(content);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running?.catch(() => undefined);
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      void this.syncNow().then(() => this.schedule(this.nextDelay()));
    }, delayMs);
    this.timer.unref();
  }

  private nextDelay(): number {
    if (this.failures > 0) return Math.min(MAX_BACKOFF_MS, MIN_BACKOFF_MS * 2 ** (this.failures - 1));
    return (this.state.lastSync?.config['ds.cycle'] ?? 28_800) * 1000;
  }

  private async runOnce(): Promise<void> {
    const device = { os: this.options.os, version: this.options.version };
    try {
      let data: SyncData | undefined;
      if (!this.client.deviceId) {
        if (!this.options.registrationKey) throw new Error('not registered with the DS and no registration key configured');
        data = await this.client.register(this.options.registrationKey, device);
      }
      // Registering answers with the first sync; a sync of its own is needed only for counters.
      const batch = this.counters.batch();
      if (!data || batch) data = await this.client.sync(device, batch);
      if (batch && data.counters?.batchId === batch.batchId) this.counters.acknowledge(batch.batchId);
      this.failures = 0;
      this.state = { deviceId: data.deviceId, lastSync: data, syncedAt: new Date().toISOString() };
      writePrivateFile(join(this.options.dataDir, STATE_FILE), JSON.stringify(this.state));
      this.options.onUpdate?.(data);
    } catch (error) {
      this.failures++;
      this.options.onError?.(error);
    }
  }
}

function loadState(dataDir: string): SavedState {
  try {
    const parsed = JSON.parse(readFileSync(join(dataDir, STATE_FILE), 'utf8')) as Partial<SavedState>;
    return { deviceId: parsed.deviceId, lastSync: parsed.lastSync, syncedAt: parsed.syncedAt };
  } catch {
    return { deviceId: undefined, lastSync: undefined, syncedAt: undefined };
  }
}
