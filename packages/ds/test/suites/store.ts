import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { migrate, migrations } from '../../src/store/migrations.js';
import { type Store, openStore } from '../../src/store/store.js';
import { openDatabase } from '../../src/store/db.js';
import { newSigningKey } from '../../src/jwt/signer.js';
import { type Backend, openBackend } from '../helpers/backends.js';
import { tempDir } from '../helpers/tmp.js';

/** Driver-level guarantees the HTTP layer relies on, identical on both databases. */
export function storeSuite(backendName: 'pglite' | 'postgres'): void {
  describe(`store (${backendName})`, () => {
    let backend: Backend;
    let store: Store;
    before(async () => {
      backend = await openBackend(backendName);
      store = await openStore({ dataDir: backend.dataDir, databaseUrl: backend.databaseUrl });
    });
    after(async () => {
      await store.close();
      await backend.dispose();
    });

    it('records every migration once and re-running is a no-op', async () => {
      assert.deepEqual(await migrate(store.db), []);
      const rows = await store.db.query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version');
      assert.deepEqual(rows.map((r) => r.version), migrations.map((m) => m.version));
    });

    it('rolls a failed transaction back completely', async () => {
      await assert.rejects(store.db.transaction(async (tx) => {
        await tx.query("INSERT INTO organisations (id, name) VALUES ('00000000-0000-4000-8000-000000000001', 'half')");
        await tx.query("INSERT INTO organisations (id, name) VALUES ('00000000-0000-4000-8000-000000000002', 'half')");
      }));
      assert.deepEqual(await store.db.query("SELECT id FROM organisations WHERE name = 'half'"), []);
    });

    it('rolls back a multi-row write when a later statement fails (app with origins)', async () => {
      await store.applications.createOrg('O');
      await assert.rejects(store.db.transaction(async (tx) => {
        await tx.query("INSERT INTO applications (id, org_id, name) SELECT '00000000-0000-4000-8000-0000000000a1', id, 'x' FROM organisations WHERE name = 'O'");
        await tx.query("INSERT INTO application_origins (app_id, origin) VALUES ('00000000-0000-4000-8000-0000000000a1', 'https://a.test')");
        await tx.query("INSERT INTO application_origins (app_id, origin) VALUES ('00000000-0000-4000-8000-0000000000ff', 'https://a.test')");
      }));
      assert.deepEqual(await store.db.query('SELECT id FROM applications'), []);
      assert.deepEqual(await store.db.query('SELECT origin FROM application_origins'), []);
    });

    it('upgrades signing keys from before the purpose column to token keys, and refuses an unknown purpose', async () => {
      const dir = tempDir('t1c-ds-upgrade-');
      const databaseUrl = backend.server === undefined ? undefined : await backend.server.createDatabase('upgrade');
      const db = await openDatabase({ dataDir: dir.path, databaseUrl });
      try {
        await migrate(db, migrations.filter((m) => m.version === 1));
        const old = await newSigningKey('ES256');
        await db.query('INSERT INTO signing_keys (kid, alg, private_jwk, public_jwk) VALUES ($1, $2, $3, $4)', [old.kid, old.alg, JSON.stringify(old.privateJwk), JSON.stringify(old.publicJwk)]);
        assert.deepEqual(await migrate(db), migrations.filter((m) => m.version > 1).map((m) => m.version));
        assert.deepEqual(await db.query('SELECT kid, purpose FROM signing_keys'), [{ kid: old.kid, purpose: 'token' }]);
        await assert.rejects(db.query("INSERT INTO signing_keys (kid, alg, private_jwk, public_jwk, purpose) VALUES ('x', 'ES256', '{}', '{}', 'both')"));
        await assert.rejects(db.query("INSERT INTO signing_keys (kid, alg, private_jwk, public_jwk) VALUES ('y', 'ES256', '{}', '{}')"), 'the purpose must be named');
      } finally {
        await db.close();
        dir.remove();
      }
    });

    it('returns counts as numbers on both drivers', async () => {
      const rows = await store.db.query<{ n: unknown }>('SELECT count(*) AS n FROM organisations');
      assert.equal(typeof rows[0]?.n, 'number');
    });
  });
}
