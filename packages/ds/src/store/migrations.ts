import type { Database } from './db.js';

/**
 * Versioned, append-only migrations. Never edit a released entry: add a new one. They run
 * at start under an advisory lock so several replicas starting together apply each once.
 */
export const migrations: ReadonlyArray<{ version: number; name: string; sql: string }> = [
  {
    version: 1,
    name: 'initial model',
    sql: `
CREATE TABLE organisations (
  id uuid PRIMARY KEY,
  name text NOT NULL UNIQUE,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE applications (
  id uuid PRIMARY KEY,
  org_id uuid NOT NULL REFERENCES organisations(id),
  name text NOT NULL,
  token_lifetime integer NOT NULL DEFAULT 1200,
  key_id text UNIQUE,
  key_hash text,
  key_created_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (org_id, name)
);
CREATE TABLE application_origins (
  app_id uuid NOT NULL REFERENCES applications(id) ON DELETE CASCADE,
  origin text NOT NULL,
  PRIMARY KEY (app_id, origin)
);
CREATE TABLE versions (
  id text PRIMARY KEY,
  recommended boolean NOT NULL DEFAULT false,
  mandatory boolean NOT NULL DEFAULT false,
  allowed boolean NOT NULL DEFAULT true,
  uris jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE registration_keys (
  key_id text PRIMARY KEY,
  version_id text NOT NULL REFERENCES versions(id),
  key_hash text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  revoked_at timestamptz
);
CREATE TABLE devices (
  id uuid PRIMARY KEY,
  key_fingerprint text NOT NULL UNIQUE,
  public_key text NOT NULL,
  os text NOT NULL,
  version text NOT NULL,
  registered_version text NOT NULL,
  first_seen timestamptz NOT NULL DEFAULT now(),
  last_seen timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE request_nonces (
  key_fingerprint text NOT NULL,
  nonce text NOT NULL,
  seen_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (key_fingerprint, nonce)
);
CREATE INDEX request_nonces_seen_at ON request_nonces (seen_at);
CREATE TABLE counter_batches (
  device_id uuid NOT NULL REFERENCES devices(id),
  batch_id text NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (device_id, batch_id)
);
CREATE TABLE transaction_counters (
  application text NOT NULL,
  tag text NOT NULL,
  module text NOT NULL,
  use_case text NOT NULL,
  day date NOT NULL,
  count bigint NOT NULL,
  PRIMARY KEY (application, tag, module, use_case, day)
);
CREATE TABLE device_logs (
  id uuid PRIMARY KEY,
  device_id uuid NOT NULL REFERENCES devices(id),
  received_at timestamptz NOT NULL DEFAULT now(),
  size integer NOT NULL,
  content text NOT NULL
);
CREATE TABLE signing_keys (
  kid text PRIMARY KEY,
  alg text NOT NULL,
  private_jwk jsonb NOT NULL,
  public_jwk jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  retired_at timestamptz
);
`,
  },
  {
    version: 2,
    name: 'signing key purpose',
    // Application tokens and device sync answers get separate keys; existing keys signed
    // tokens, so they keep that purpose and a sync key is created at the next start.
    sql: `
ALTER TABLE signing_keys ADD COLUMN purpose text NOT NULL DEFAULT 'token' CHECK (purpose IN ('token', 'sync'));
ALTER TABLE signing_keys ALTER COLUMN purpose DROP DEFAULT;
CREATE INDEX signing_keys_purpose ON signing_keys (purpose, retired_at);
`,
  },
  {
    version: 3,
    name: 'device abuse quotas',
    sql: `
ALTER TABLE registration_keys ADD COLUMN max_devices integer;
ALTER TABLE devices ADD COLUMN registration_key_id text REFERENCES registration_keys(key_id);
CREATE INDEX devices_registration_key ON devices (registration_key_id, first_seen);
CREATE INDEX device_logs_device_received ON device_logs (device_id, received_at);
CREATE TABLE device_counter_totals (
  device_id uuid NOT NULL REFERENCES devices(id),
  day date NOT NULL,
  application text NOT NULL,
  use_case text NOT NULL,
  total bigint NOT NULL,
  PRIMARY KEY (device_id, day, application, use_case)
);
`,
  },
];

/** Arbitrary constant shared by all replicas: the advisory lock key for migrations. */
const MIGRATION_LOCK = 52_000_001;

/** Applies `list` (all migrations; tests pass a prefix to build an older schema). */
export async function migrate(db: Database, list: typeof migrations = migrations): Promise<number[]> {
  return db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await tx.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
    const done = new Set((await tx.query<{ version: number }>('SELECT version FROM schema_migrations')).map((r) => r.version));
    const applied: number[] = [];
    for (const m of list) {
      if (done.has(m.version)) continue;
      await tx.exec(m.sql);
      await tx.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [m.version, m.name]);
      applied.push(m.version);
    }
    return applied;
  });
}
