import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { migrate, migrations } from '../../src/store/migrations.js';
import { type Store, openStore } from '../../src/store/store.js';
import { type Backend, openBackend } from '../helpers/backends.js';

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

    it('returns counts as numbers on both drivers', async () => {
      const rows = await store.db.query<{ n: unknown }>('SELECT count(*) AS n FROM organisations');
      assert.equal(typeof rows[0]?.n, 'number');
    });
  });
}
