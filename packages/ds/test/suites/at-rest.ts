import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { lstatSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { PGlite } from '@electric-sql/pglite';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import pg from 'pg';
import { fetchApplicationToken } from '../../src/index.js';
import { newSigningKey } from '../../src/jwt/signer.js';
import { openStore } from '../../src/store/store.js';
import { type Backend, openBackend } from '../helpers/backends.js';
import { DsProcess } from '../helpers/ds-process.js';
import { call, dataOf, json } from '../helpers/http.js';
import { freePort } from '../helpers/ports.js';

interface KeyRow {
  kid: string;
  purpose: string;
  private_jwk: string;
  public_jwk: string;
  retired_at: string | null;
}

/** Every path under root with its permission bits. */
function modes(root: string): Array<[string, number, 'dir' | 'file']> {
  const out: Array<[string, number, 'dir' | 'file']> = [];
  const walk = (path: string): void => {
    const st = lstatSync(path);
    if (st.isSymbolicLink()) return;
    out.push([path, st.mode & 0o777, st.isDirectory() ? 'dir' : 'file']);
    if (st.isDirectory()) for (const name of readdirSync(path)) walk(join(path, name));
  };
  walk(root);
  return out;
}

/**
 * The DS's secrets at rest: owner-only files, signing keys sealed under a key-encryption key,
 * and a wrong key stopping `t1c ds` before it touches anything. Run once per backend.
 */
export function atRestSuite(backendName: 'pglite' | 'postgres'): void {
  describe(`signing keys and files at rest (${backendName})`, () => {
    let backend: Backend;
    const kekFile = (): string => join(backend.dataDir, '..', `${backendName}-kek-${process.pid}`);
    const args = async (extra: string[] = []): Promise<string[]> => [
      '--port', String(await freePort()), '--data-dir', backend.dataDir,
      ...(backend.databaseUrl === undefined ? [] : ['--database-url', backend.databaseUrl]), ...extra,
    ];
    const env = { T1C_DS_ADMIN_TOKEN: 'at-rest-admin-token-0123456789', T1C_DS_KEY_ENCRYPTION_KEY: '' };
    const keyArgs = (): string[] => (backend.databaseUrl === undefined ? [] : ['--key-encryption-key-file', kekFile()]);

    /** The signing_keys table read straight from the database, the DS stopped. */
    const rows = async (): Promise<KeyRow[]> => {
      const sql = 'SELECT kid, purpose, private_jwk::text AS private_jwk, public_jwk::text AS public_jwk, retired_at::text AS retired_at FROM signing_keys ORDER BY kid';
      if (backend.databaseUrl !== undefined) {
        const client = new pg.Client({ connectionString: backend.databaseUrl });
        await client.connect();
        try {
          return (await client.query<KeyRow>(sql)).rows;
        } finally {
          await client.end();
        }
      }
      const db = await PGlite.create(join(backend.dataDir, 'pglite'));
      try {
        return (await db.query<KeyRow>(sql)).rows;
      } finally {
        await db.close();
      }
    };

    let token = '';
    let kid = '';

    before(async () => {
      backend = await openBackend(backendName);
      writeFileSync(kekFile(), `${randomBytes(32).toString('base64')}\n`, { mode: 0o600 });
      const ds = await DsProcess.start(await args(keyArgs()), env);
      try {
        const admin = (path: string) => `${ds.url}/admin/api/v1${path}`;
        dataOf(await call(admin('/orgs'), json('POST', { name: 'Org' }, env.T1C_DS_ADMIN_TOKEN)));
        const app = dataOf<{ apiKey: string }>(await call(admin('/apps'), json('POST', { org: 'Org', name: 'a', origins: ['https://a.test'] }, env.T1C_DS_ADMIN_TOKEN)));
        token = await fetchApplicationToken(ds.url, app.apiKey);
        kid = String(decodeProtectedHeader(token).kid);
        if (backend.databaseUrl === undefined) {
          const loose = modes(backend.dataDir).filter(([, mode, kind]) => mode !== (kind === 'dir' ? 0o700 : 0o600));
          assert.deepEqual(loose, [], 'while running, everything under the data dir is owner-only');
        }
      } finally {
        assert.equal(await ds.stop(), 0);
      }
    });
    after(async () => {
      await backend.dispose();
    });

    it('leaves only owner-only files and folders in the data dir', () => {
      const all = modes(backend.dataDir);
      assert.ok(all.length > (backend.databaseUrl === undefined ? 100 : 0), 'the walk saw the database files');
      assert.deepEqual(all.filter(([, mode, kind]) => mode !== (kind === 'dir' ? 0o700 : 0o600)), []);
    });

    it('stores the private signing key sealed, never the JWK "d" in clear', async () => {
      const stored = await rows();
      assert.deepEqual(stored.map((r) => r.purpose).sort(), ['sync', 'token'], 'one application-token key, one device-sync key');
      assert.equal(stored.find((r) => r.purpose === 'token')?.kid, kid);
      for (const row of stored) {
        const sealed = JSON.parse(row.private_jwk) as Record<string, unknown>;
        assert.deepEqual(Object.keys(sealed).sort(), ['alg', 'ct', 'iv', 'kekId', 'tag', 'v'], row.purpose);
        assert.equal(sealed.alg, 'A256GCM');
        assert.doesNotMatch(row.private_jwk, /"d"|"kty"/);
        assert.doesNotMatch(row.public_jwk, /"d"/);
      }
    });

    it('restarts with the same key: the same signing key, earlier tokens still verify', async () => {
      const ds = await DsProcess.start(await args(keyArgs()), env);
      try {
        const { payload, protectedHeader } = await jwtVerify(token, createRemoteJWKSet(new URL(`${ds.url}/.well-known/jwks.json`)));
        assert.equal(protectedHeader.kid, kid);
        assert.equal(payload.iss, 't1c-ds');
      } finally {
        assert.equal(await ds.stop(), 0);
      }
    });

    it('refuses to start with a wrong key-encryption key, exits non-zero and leaves the database as it was', async () => {
      const before = JSON.stringify(await rows());
      const wrong = join(backend.dataDir, '..', `wrong-kek-${process.pid}`);
      writeFileSync(wrong, `${randomBytes(32).toString('base64')}\n`, { mode: 0o600 });
      await assert.rejects(DsProcess.start(await args(['--key-encryption-key-file', wrong]), env),
        /exited with 1: .*signing key \S+ was sealed with key-encryption key [0-9a-f]{16}, but the configured one is [0-9a-f]{16}/s);
      await assert.rejects(DsProcess.start(await args(), { ...env, T1C_DS_KEY_ENCRYPTION_KEY: randomBytes(32).toString('base64') }), /exited with 1: .*was sealed with key-encryption key/s);
      await assert.rejects(DsProcess.start(await args(), { ...env, T1C_DS_KEY_ENCRYPTION_KEY: 'too-short' }), /exited with 1: .*T1C_DS_KEY_ENCRYPTION_KEY must hold a 32-byte key/s);
      if (backend.databaseUrl !== undefined) {
        await assert.rejects(DsProcess.start(await args(), env), /exited with 1: .*a key-encryption key is required with --database-url/s);
      }
      assert.equal(JSON.stringify(await rows()), before, 'no new signing key, nothing re-sealed');
    });

    it('seals a signing key an older DS stored in clear at its first start with a key-encryption key', async () => {
      const legacy = await newSigningKey('ES256');
      const store = await openStore({ dataDir: backend.dataDir, databaseUrl: backend.databaseUrl });
      try {
        await store.db.query("UPDATE signing_keys SET retired_at = now() WHERE purpose = 'token' AND retired_at IS NULL");
        await store.db.query("INSERT INTO signing_keys (kid, alg, private_jwk, public_jwk, purpose) VALUES ($1, $2, $3, $4, 'token')",
          [legacy.kid, legacy.alg, JSON.stringify(legacy.privateJwk), JSON.stringify(legacy.publicJwk)]);
      } finally {
        await store.close();
      }
      const ds = await DsProcess.start(await args(keyArgs()), env);
      try {
        const jwks = JSON.parse((await call(`${ds.url}/.well-known/jwks.json`)).text) as { keys: Array<{ kid: string }> };
        assert.deepEqual(jwks.keys.map((k) => k.kid), [legacy.kid, kid], 'the legacy key stays the active one');
      } finally {
        assert.equal(await ds.stop(), 0);
      }
      const stored = await rows();
      assert.equal(stored.length, 3, 'the old and the legacy token key, and the sync key');
      for (const row of stored) assert.doesNotMatch(row.private_jwk, /"d"/, row.kid);
    });
  });
}
