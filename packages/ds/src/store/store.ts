import { ApplicationQueries } from './applications.js';
import { type Database, type DatabaseOptions, openDatabase } from './db.js';
import { DeviceQueries } from './devices.js';
import { migrate } from './migrations.js';
import type { KeyEncryption } from './key-encryption.js';
import { SigningKeyQueries } from './signing-keys.js';
import { VersionQueries } from './versions.js';

/** Everything the DS persists, over either driver. */
export interface Store {
  readonly db: Database;
  readonly applications: ApplicationQueries;
  readonly versions: VersionQueries;
  readonly devices: DeviceQueries;
  readonly signingKeys: SigningKeyQueries;
  /** Cheap round trip for health checks. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** `sealer` seals the signing keys at rest; without it they can be neither read nor written. */
export function createStore(db: Database, sealer: KeyEncryption | null = null): Store {
  return {
    db,
    applications: new ApplicationQueries(db),
    versions: new VersionQueries(db),
    devices: new DeviceQueries(db),
    signingKeys: new SigningKeyQueries(db, sealer),
    async ping() {
      await db.query('SELECT 1');
    },
    close: () => db.close(),
  };
}

/** Opens the database and brings its schema up to date before anything is served. */
export async function openStore(options: DatabaseOptions, sealer: KeyEncryption | null = null): Promise<Store> {
  const db = await openDatabase(options);
  try {
    await migrate(db);
  } catch (error) {
    await db.close().catch(() => undefined);
    throw error;
  }
  return createStore(db, sealer);
}
