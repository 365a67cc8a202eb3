import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { decodeJwt, type GeneralJWS } from 'jose';
import {
  AdminClient, DEVICE_PATHS, fetchApplicationToken, signEnvelope, startDistributionService, type RunningDistributionService,
} from '@t1c/ds';
import { startApi, type RunningApi } from '../src/index.js';
import { AUDIENCE, ISSUER, testIssuer, type TestIssuer } from './api-helpers/jwt.js';

const ORIGIN = 'https://portal.example.org';

/**
 * Issue 9 item 3: application tokens and DS sync answers are different things. A connector
 * synced with a real DS, attacked over HTTP with JWS/JWTs that are not proper tokens.
 */
describe('JWTs at a connector synced with a DS: only real, bounded, DS-issued tokens', () => {
  let ds: RunningDistributionService;
  let admin: AdminClient;
  let apiKey: string;
  let appId: string;
  let registrationKey: string;
  let dsOnly: RunningApi;
  let withKey: RunningApi;
  let issuer: TestIssuer;
  let dsDir: string;
  const dirs: string[] = [];
  const temp = (): string => {
    const d = mkdtempSync(join(tmpdir(), 't1c-token-trust-'));
    dirs.push(d);
    return d;
  };
  const readers = (api: RunningApi, token: string, origin = ORIGIN): Promise<number> =>
    fetch(new URL('/v3/readers', api.url), { headers: { authorization: `Bearer ${token}`, origin } }).then(async (r) => {
      await r.arrayBuffer();
      return r.status;
    });
  const connector = (extra: Parameters<typeof startApi>[0] = {}): Promise<RunningApi> => startApi({
    port: 0, transport: 'http', dataDir: temp(), virtualCards: ['1.8'], pcsc: false, dsUrl: ds.url, registrationKey,
    logLevel: 'silent', logStream: new PassThrough(), env: {}, ...extra,
  });

  before(async () => {
    dsDir = temp();
    ds = await startDistributionService({ port: 0, dataDir: dsDir, logLevel: 'silent' });
    admin = new AdminClient(ds.url, ds.adminToken);
    await admin.call('POST', '/orgs', { name: 'Org' });
    ({ apiKey, applicationId: appId } = await admin.call<{ apiKey: string; applicationId: string }>('POST', '/apps', { org: 'Org', name: 'portal', origins: [ORIGIN] }));
    ({ registrationKey } = await admin.call<{ registrationKey: string }>('PUT', '/versions/0.1.0', {}));
    issuer = testIssuer(temp());
    // Only the DS: its keys, issuer and audience come from the signed sync answer.
    dsOnly = await connector();
    // A partner set-up: the DS plus a key of its own, which must name issuer and audience.
    withKey = await connector({ jwtPublicKey: issuer.publicKeyFile, jwtIssuer: ISSUER, jwtAudience: AUDIENCE });
    await dsOnly.syncWithDs();
    await withKey.syncWithDs();
  });
  after(async () => {
    await dsOnly.close();
    await withKey.close();
    await ds.close();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('accepts a token the DS issued, at both connectors', async () => {
    const jwt = await fetchApplicationToken(ds.url, apiKey);
    assert.equal(await readers(dsOnly, jwt), 200);
    assert.equal(await readers(withKey, jwt), 200);
    assert.equal(await readers(withKey, await issuer.token()), 200, "and the partner key's own good token");
  });

  it("refuses a DS sync answer's JWS turned into a compact JWT (it never expires and is no token)", async () => {
    const device = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const publicKey = device.publicKey.export({ format: 'pem', type: 'spki' }).toString();
    const answer = await fetch(new URL(DEVICE_PATHS.register, ds.url), {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify(signEnvelope({ type: 'register', registrationKey, publicKey, os: 'unix', version: '0.1.0' }, device.privateKey)),
    });
    const { signed } = await answer.json() as { signed: GeneralJWS };
    assert.ok(signed.signatures.length >= 1);
    for (const s of signed.signatures) {
      const compact = `${s.protected ?? ''}.${signed.payload}.${s.signature}`;
      // Its payload even carries `origins` with the caller's origin.
      assert.deepEqual(decodeJwt(compact).origins, [ORIGIN]);
      assert.equal(await readers(dsOnly, compact), 401);
      assert.equal(await readers(withKey, compact), 401);
    }
  });

  const now = (): number => Math.floor(Date.now() / 1000);
  const bad: [string, () => Promise<string>][] = [
    ['without exp', () => issuer.token({}, { noExpiry: true })],
    ['without iat', () => issuer.token({}, { issuedAt: null })],
    ['with a lifetime of 24 h + 1 s', () => issuer.token({}, { issuedAt: now(), expiresIn: now() + 86_401 })],
    ['issued in the future', () => issuer.token({}, { issuedAt: now() + 3600, expiresIn: now() + 7200 })],
    ['without typ', () => issuer.token({}, { typ: null })],
    ['with typ t1c-ds-sync+jws', () => issuer.token({}, { typ: 't1c-ds-sync+jws' })],
    ['with typ at+jwt', () => issuer.token({}, { typ: 'at+jwt' })],
    ['with a wrong issuer', () => issuer.token({}, { issuer: 'someone-else' })],
    ['with a wrong audience', () => issuer.token({}, { audience: 'another-api' })],
  ];
  for (const [name, make] of bad) {
    it(`refuses a token ${name} (401 104025)`, async () => {
      const response = await fetch(new URL('/v3/readers', withKey.url), { headers: { authorization: `Bearer ${await make()}`, origin: ORIGIN } });
      assert.equal(response.status, 401);
      assert.equal((await response.json() as { code: string }).code, '104025');
    });
  }

  it('accepts a lifetime of exactly 24 h, the maximum', async () => {
    assert.equal(await readers(withKey, await issuer.token({}, { issuedAt: now(), expiresIn: now() + 86_400 })), 200);
  });

  it('refuses --ds-url with --jwt-public-key or --jwks-url but no issuer or audience, naming what is missing', async () => {
    // Anything that starts by mistake is closed again, so a failing run does not hang.
    const refusal = (extra: Parameters<typeof startApi>[0]): Promise<string> =>
      connector(extra).then(async (api) => { await api.close(); return 'started'; }, (e: unknown) => String(e));
    assert.match(await refusal({ jwtPublicKey: issuer.publicKeyFile }), /jwtIssuer: required with --ds-url.*jwtAudience: required/s);
    const noAudience = await refusal({ jwtPublicKey: issuer.publicKeyFile, jwtIssuer: ISSUER });
    assert.match(noAudience, /jwtAudience: required/);
    assert.doesNotMatch(noAudience, /jwtIssuer/);
    assert.match(await refusal({ jwksUrl: new URL('/.well-known/jwks.json', ds.url).toString(), jwtAudience: AUDIENCE }), /jwtIssuer: required/);
  });

  it('keeps a revoked application\'s token usable until its exp (1200 s by default); removing its origin stops it at the next sync', async () => {
    const jwt = await fetchApplicationToken(ds.url, apiKey);
    const claims = decodeJwt(jwt);
    assert.equal((claims.exp ?? 0) - (claims.iat ?? 0), 1200);
    await admin.call('POST', `/apps/${appId}/revoke-key`);
    await assert.rejects(fetchApplicationToken(ds.url, apiKey), 'no new token');
    await dsOnly.syncWithDs();
    assert.equal(await readers(dsOnly, jwt), 200, 'the token is self-contained: it stays valid until exp');
    await admin.call('POST', `/apps/${appId}/origins/remove`, { origin: ORIGIN });
    assert.equal(await readers(dsOnly, jwt), 200, 'until the connector syncs again');
    await dsOnly.syncWithDs();
    assert.equal(await readers(dsOnly, jwt), 403, 'the origin left the allow-list');
    await admin.call('POST', `/apps/${appId}/origins`, { origin: ORIGIN });
    await dsOnly.syncWithDs();
    ({ apiKey } = await admin.call<{ apiKey: string }>('POST', `/apps/${appId}/rotate-key`));
  });

  it('requires the issuer and audience the DS signed into the sync answer for its keys', async () => {
    // The same DS store (same token keys) under another issuer, then another audience.
    for (const [name, options] of [['issuer', { issuer: 'another-ds' }], ['audience', { audience: 'another-connector' }]] as const) {
      await ds.close();
      ds = await startDistributionService({ port: 0, dataDir: dsDir, logLevel: 'silent', ...options });
      const jwt = await fetchApplicationToken(ds.url, apiKey);
      assert.equal(await readers(dsOnly, jwt), 401, `a token for another ${name}, signed with the synced key`);
    }
    await ds.close();
    ds = await startDistributionService({ port: 0, dataDir: dsDir, logLevel: 'silent' });
    assert.equal(await readers(dsOnly, await fetchApplicationToken(ds.url, apiKey)), 200);
  });
});
