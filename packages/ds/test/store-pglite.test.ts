import assert from 'node:assert/strict';
import { it } from 'node:test';
import { openStore } from '../src/store/store.js';
import { tempDir } from './helpers/tmp.js';
import { storeSuite } from './suites/store.js';

storeSuite('pglite');

it('refuses a second opener of the same embedded database', async () => {
  const dir = tempDir('t1c-ds-lock-');
  const store = await openStore({ dataDir: dir.path });
  try {
    await assert.rejects(openStore({ dataDir: dir.path }), /in use by process/);
  } finally {
    await store.close();
  }
  const again = await openStore({ dataDir: dir.path });
  await again.close();
  dir.remove();
});
