import { join } from 'node:path';
import type { KeyObject } from 'node:crypto';
import type { GeneralJWS } from 'jose';
import { z } from 'zod';
import {
  type CounterEntryInput, DsDeviceClient, DsRequestError, type DeviceState, generalJwsSchema, jwksSchema, type JsonWebKeySet, type OsName, type SyncData, verifySyncAnswer,
} from '@t1c/ds/client';
import { readIfExists, writePrivateFile } from '../security/private-file.js';
import { TransactionCounters } from './counters.js';

type CounterBatch = { batchId: string; entries: CounterEntryInput[] };

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

/**
 * What ds-state.json holds: the device id, the DS sync keys pinned at registration (moved on
 * only by answers that verified with them) and the JWS of the last verified answer, which is
 * verified again at load rather than trusted because it is on disk.
 */
const savedStateSchema = z.object({
  deviceId: z.uuid(),
  syncKeys: jwksSchema,
  signed: generalJwsSchema,
  syncedAt: z.string(),
});

interface State {
  readonly deviceId: string | undefined;
  readonly syncKeys: JsonWebKeySet | undefined;
  readonly signed: GeneralJWS | undefined;
  readonly lastSync: SyncData | undefined;
  readonly syncedAt: string | undefined;
}

const EMPTY: State = { deviceId: undefined, syncKeys: undefined, signed: undefined, lastSync: undefined, syncedAt: undefined };

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
  private timer: NodeJS.Timeout | undefined;
  private failures = 0;
  private stopped = false;
  private running: Promise<void> | undefined;

  private constructor(private readonly options: DsSyncOptions, private state: State) {
    this.client = new DsDeviceClient({
      dsUrl: options.dsUrl, privateKey: options.deviceKey,
      // Without pinned keys the device registers again (same key, same device id) and pins then.
      ...(state.deviceId && state.syncKeys ? { deviceId: state.deviceId, pinnedSyncKeys: state.syncKeys } : {}),
    });
  }

  /** Loads ds-state.json, keeping the saved answer only if it verifies with the pinned keys. */
  static async open(options: DsSyncOptions): Promise<DsSync> {
    return new DsSync(options, await loadState(options.dataDir, options.onError));
  }

  /** The last good sync (from disk before the first one of this run succeeds). */
  get last(): SyncData | undefined {
    return this.state.lastSync;
  }

  get deviceId(): string | undefined {
    return this.client.deviceId;
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

  /** A sync carrying counters; a batch the DS refuses for good is dropped and the sync made without it. */
  private async syncCounters(device: DeviceState, batch: CounterBatch): Promise<SyncData> {
    try {
      const data = await this.client.sync(device, batch);
      if (data.counters?.batchId === batch.batchId) this.counters.acknowledge(batch.batchId);
      return data;
    } catch (error) {
      if (!refusesBatchForGood(error)) throw error;
      this.counters.discard(batch.batchId);
      this.options.onError?.(error);
      return this.client.sync(device);
    }
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
      if (batch) data = await this.syncCounters(device, batch);
      else data ??= await this.client.sync(device);
      this.failures = 0;
      const { pinnedSyncKeys, lastSignedAnswer } = this.client;
      this.state = { deviceId: data.deviceId, syncKeys: pinnedSyncKeys, signed: lastSignedAnswer, lastSync: data, syncedAt: new Date().toISOString() };
      const { lastSync: _derived, ...saved } = this.state;
      writePrivateFile(join(this.options.dataDir, STATE_FILE), JSON.stringify(saved));
      this.options.onUpdate?.(data);
    } catch (error) {
      this.failures++;
      this.options.onError?.(error);
    }
  }
}

async function loadState(dataDir: string, onError: ((error: unknown) => void) | undefined): Promise<State> {
  const text = readIfExists(join(dataDir, STATE_FILE));
  if (text === undefined) return EMPTY;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  const parsed = savedStateSchema.safeParse(json);
  if (!parsed.success) {
    // An older or damaged file: nothing in it is trusted; the device registers again.
    onError?.(new Error(`${STATE_FILE} holds no pinned DS sync keys; registering again`));
    return EMPTY;
  }
  const { deviceId, syncKeys, syncedAt } = parsed.data;
  const { signed } = parsed.data;
  try {
    const lastSync = await verifySyncAnswer(signed, syncKeys);
    if (lastSync.deviceId !== deviceId) throw new Error('saved DS answer is for another device');
    return { deviceId, syncKeys, signed, lastSync, syncedAt };
  } catch (error) {
    onError?.(error);
    return { ...EMPTY, deviceId, syncKeys };
  }
}

/** Invalid counters (400 106400) or a counter quota (429 104036): the same batch would never pass. */
function refusesBatchForGood(error: unknown): boolean {
  return error instanceof DsRequestError && ((error.status === 400 && error.code === '106400') || (error.status === 429 && error.code === '104036'));
}
