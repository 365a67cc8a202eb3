import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { GeneralSign, SignJWT, exportJWK, generateKeyPair, type CryptoKey, type GeneralJWS, type JWK } from 'jose';
import { AdminClient, DEVICE_PATHS, fetchApplicationToken, startDistributionService, type RunningDistributionService } from '@t1c/ds';
import { startApi, type RunningApi } from '../src/index.js';
import { runCli } from './helpers/run-cli.js';

const ORIGIN = 'https://portal.example.org';
const EVIL = 'https://mallory.example.net';

type Mode = 'pass' | 'data' | 'payload' | 'resign' | 'unsigned';

/**
 * A man in the middle between connector and DS: forwards everything, and in a tamper mode
 * rewrites register/sync answers to add his origin and his JWT key.
 */
class TamperingProxy {
  mode: Mode = 'pass';
  private constructor(private readonly server: Server, readonly url: string) {}

  static async start(target: () => string, attacker: { tokenJwk: JWK; syncJwk: JWK; syncKey: CryptoKey }): Promise<TamperingProxy> {
    let proxy: TamperingProxy | undefined;
    const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const upstream = await fetch(new URL(req.url ?? '/', target()), {
        method: req.method ?? 'GET', headers: { 'content-type': 'application/json' }, ...(chunks.length > 0 ? { body: Buffer.concat(chunks) } : {}),
      });
      let text = await upstream.text();
      const answer = req.url === DEVICE_PATHS.register || req.url === DEVICE_PATHS.sync;
      if (proxy && proxy.mode !== 'pass' && answer && upstream.ok) text = JSON.stringify(await tamper(JSON.parse(text) as TamperBody, proxy.mode, attacker));
      res.writeHead(upstream.status, { 'content-type': 'application/json' });
      res.end(text);
    };
    const server = createServer((req, res) => { handle(req, res).catch(() => { res.writeHead(502); res.end(); }); });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    proxy = new TamperingProxy(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    return proxy;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

interface TamperBody { success: true; data: Record<string, unknown> & { origins: string[] }; signed?: GeneralJWS }

async function tamper(body: TamperBody, mode: Mode, attacker: { tokenJwk: JWK; syncJwk: JWK; syncKey: CryptoKey }): Promise<TamperBody> {
  const data = { ...body.data, origins: [...body.data.origins, EVIL], jwks: { keys: [attacker.tokenJwk] } };
  if (mode === 'data') return { ...body, data };
  if (mode === 'unsigned') return { success: true, data };
  const encoded = Buffer.from(JSON.stringify(data)).toString('base64url');
  if (mode === 'payload' && body.signed) return { ...body, data, signed: { ...body.signed, payload: encoded } };
  // His own signature over his own sync keys, as if the DS had rotated to them.
  const resigned = { ...data, syncKeys: { keys: [attacker.syncJwk] } };
  const jws = new GeneralSign(new TextEncoder().encode(JSON.stringify(resigned)));
  jws.addSignature(attacker.syncKey).setProtectedHeader({ alg: 'ES256', kid: 'mallory-sync', typ: 't1c-ds-sync+jws' });
  return { success: true, data: resigned, signed: await jws.sign() };
}

/** Issue 9 item 4: every DS answer verifies against the sync keys pinned at registration. */
describe('DS answers through a man in the middle: pinned sync keys, after registration and after a restart', () => {
  let ds: RunningDistributionService;
  let admin: AdminClient;
  let proxy: TamperingProxy;
  let api: RunningApi;
  let apiKey: string;
  let registrationKey: string;
  let attackerToken: string;
  let connectorDir: string;
  let logs: string[] = [];
  const dirs: string[] = [];
  const temp = (): string => {
    const d = mkdtempSync(join(tmpdir(), 't1c-ds-mitm-'));
    dirs.push(d);
    return d;
  };
  const start = async (dsUrl = proxy.url, extra: Parameters<typeof startApi>[0] = {}): Promise<RunningApi> => {
    logs = [];
    const logStream = new PassThrough();
    logStream.on('data', (chunk: Buffer) => logs.push(chunk.toString('utf8')));
    return startApi({
      port: 0, transport: 'http', dataDir: connectorDir, virtualCards: ['1.8'], pcsc: false, dsUrl, registrationKey,
      logLevel: 'warn', logStream, env: {}, ...extra,
    });
  };
  const status = async (token: string, origin: string): Promise<number> => {
    const r = await fetch(new URL('/v3/readers', api.url), { headers: { authorization: `Bearer ${token}`, origin } });
    await r.arrayBuffer();
    return r.status;
  };
  const cors = async (): Promise<string[]> => {
    const jwt = await fetchApplicationToken(ds.url, apiKey);
    const response = await fetch(new URL('/info', api.url), { headers: { authorization: `Bearer ${jwt}`, origin: ORIGIN } });
    assert.equal(response.status, 200, 'a DS token opens /info (else its keys or origins were replaced)');
    const info = await response.json() as { t1CInfoAPI: { cors: string[] } };
    return info.t1CInfoAPI.cors;
  };
  /** The connector still has the DS's allow-list and keys, and none of the attacker's. */
  const keepsOldTrust = async (what: string): Promise<void> => {
    assert.deepEqual(await cors(), [ORIGIN], `${what}: allow-list unchanged`);
    assert.equal(await status(await fetchApplicationToken(ds.url, apiKey), ORIGIN), 200, `${what}: the DS token still works`);
    assert.equal(await status(attackerToken, ORIGIN), 401, `${what}: the attacker's JWT key is not trusted`);
    assert.equal(await status(await fetchApplicationToken(ds.url, apiKey), EVIL), 403, `${what}: the attacker's origin is not allowed`);
  };

  before(async () => {
    ds = await startDistributionService({ port: 0, dataDir: temp(), logLevel: 'silent' });
    admin = new AdminClient(ds.url, ds.adminToken);
    await admin.call('POST', '/orgs', { name: 'Org' });
    ({ apiKey } = await admin.call<{ apiKey: string }>('POST', '/apps', { org: 'Org', name: 'portal', origins: [ORIGIN] }));
    ({ registrationKey } = await admin.call<{ registrationKey: string }>('PUT', '/versions/0.1.0', {}));
    const tokenPair = await generateKeyPair('ES256', { extractable: true });
    const syncPair = await generateKeyPair('ES256', { extractable: true });
    const tokenJwk = { ...await exportJWK(tokenPair.publicKey), kid: 'mallory', alg: 'ES256', use: 'sig' };
    const syncJwk = { ...await exportJWK(syncPair.publicKey), kid: 'mallory-sync', alg: 'ES256', use: 'sig' };
    attackerToken = await new SignJWT({ origins: [ORIGIN, EVIL] }).setProtectedHeader({ alg: 'ES256', kid: 'mallory', typ: 'JWT' })
      .setIssuer('t1c-ds').setAudience('t1c-connector').setSubject('mallory').setIssuedAt().setExpirationTime('20m').sign(tokenPair.privateKey);
    proxy = await TamperingProxy.start(() => ds.url, { tokenJwk, syncJwk, syncKey: syncPair.privateKey });
    connectorDir = temp();
    api = await start();
    await api.syncWithDs();
  });
  after(async () => {
    await api.close();
    await proxy.close();
    await ds.close();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('registers through the proxy and pins the DS sync keys in ds-state.json (0600)', async () => {
    const file = join(connectorDir, 'ds-state.json');
    assert.equal(statSync(file).mode & 0o777, 0o600);
    const state = JSON.parse(readFileSync(file, 'utf8')) as { syncKeys?: { keys: { kid: string }[] }; signed?: unknown };
    assert.ok((state.syncKeys?.keys.length ?? 0) >= 1, 'sync keys pinned');
    assert.ok(state.signed, 'the verified answer is kept with its signature');
    await keepsOldTrust('registered');
  });

  for (const mode of ['data', 'payload', 'resign', 'unsigned'] as const) {
    it(`refuses a sync answer tampered in transit (${mode}) and keeps the old allow-list`, async () => {
      proxy.mode = mode;
      await api.syncWithDs();
      proxy.mode = 'pass';
      await keepsOldTrust(mode);
      assert.match(logs.join(''), /DS sync failed/);
    });
  }

  for (const mode of ['resign', 'data'] as const) {
    it(`refuses the first sync answer after a restart when it is tampered (${mode})`, async () => {
      await api.close();
      proxy.mode = mode;
      api = await start();
      await api.syncWithDs();
      proxy.mode = 'pass';
      await keepsOldTrust(`restart, ${mode}`);
      assert.match(logs.join(''), /DS sync failed/);
      assert.match(logs.join(''), /signature does not verify with the pinned DS sync keys|differs from what the DS signed/);
    });
  }

  it('does not trust a saved answer that no longer verifies (ds-state.json edited)', async () => {
    await api.close();
    const file = join(connectorDir, 'ds-state.json');
    const state = JSON.parse(readFileSync(file, 'utf8')) as { signed: GeneralJWS };
    const data = JSON.parse(Buffer.from(state.signed.payload, 'base64url').toString()) as { origins: string[] };
    state.signed.payload = Buffer.from(JSON.stringify({ ...data, origins: [...data.origins, EVIL] })).toString('base64url');
    writeFileSync(file, JSON.stringify(state), { mode: 0o600 });
    proxy.mode = 'resign';
    api = await start();
    const dsToken = await fetchApplicationToken(ds.url, apiKey);
    const nothingTrusted = async (): Promise<void> => {
      // Neither the origins nor the keys of the edited file: refused (403 origin, 401 key).
      assert.notEqual(await status(dsToken, ORIGIN), 200);
      assert.notEqual(await status(attackerToken, ORIGIN), 200);
      assert.notEqual(await status(attackerToken, EVIL), 200);
      assert.notEqual(await status(dsToken, EVIL), 200);
    };
    await nothingTrusted();
    assert.match(logs.join(''), /DS state not restored/);
    await api.syncWithDs();
    proxy.mode = 'pass';
    await nothingTrusted();
    await api.syncWithDs();
    await keepsOldTrust('edited state, then a genuine sync');
  });

  it('follows DS sync-key rotations, one per sync, across a restart', async () => {
    const pinnedKids = (): string[] => (JSON.parse(readFileSync(join(connectorDir, 'ds-state.json'), 'utf8')) as { syncKeys: { keys: { kid: string }[] } }).syncKeys.keys.map((k) => k.kid);
    const { kid: first } = await admin.call<{ kid: string }>('POST', '/signing-keys/rotate', { purpose: 'sync' });
    await api.syncWithDs();
    assert.equal(pinnedKids()[0], first);
    await api.close();
    api = await start();
    const { kid: second } = await admin.call<{ kid: string }>('POST', '/signing-keys/rotate', { purpose: 'sync' });
    await admin.call('POST', '/signing-keys/rotate', { purpose: 'token' });
    const apps = await admin.call<{ id: string }[]>('GET', '/apps');
    await admin.call('POST', `/apps/${apps[0]?.id ?? ''}/origins`, { origin: 'https://second.example.org' });
    await api.syncWithDs();
    assert.deepEqual(pinnedKids(), [second, first]);
    assert.deepEqual(await cors(), [ORIGIN, 'https://second.example.org'], 'the answer signed by the new and the pinned key was accepted');
    assert.equal(await status(await fetchApplicationToken(ds.url, apiKey), ORIGIN), 200, 'a token signed with the rotated token key works');
    // Still pinned: an attacker's re-signed answer after all that is refused.
    proxy.mode = 'resign';
    await api.syncWithDs();
    proxy.mode = 'pass';
    assert.deepEqual(await cors(), [ORIGIN, 'https://second.example.org']);
  });

  it('refuses a plain-http DS or JWKS URL to another host with a clear error, accepts loopback', async () => {
    // Anything that starts by mistake is closed again, so a failing run does not hang.
    const outcome = await start('http://ds.example.org').then(async (a) => { await a.close(); return new Error('started'); }, (e: unknown) => e);
    assert.match(String(outcome), /dsUrl: plain http:\/\/ is refused for ds\.example\.org.*use https:\/\//);
    const cli = await runCli(['api', '--http', '--no-pcsc', '--port', '0', '--data-dir', temp(), '--ds-url', 'http://ds.example.org:8080'], '', { HOME: temp() });
    assert.equal(cli.code, 1);
    assert.match(cli.stderr, /dsUrl: plain http:\/\/ is refused for ds\.example\.org:8080/);
    const env = await runCli(['api', '--http', '--no-pcsc', '--port', '0', '--data-dir', temp()], '', { HOME: temp(), T1C_JWKS_URL: 'http://keys.example.org/jwks.json' });
    assert.equal(env.code, 1);
    assert.match(env.stderr, /jwksUrl: plain http:\/\/ is refused for keys\.example\.org/);
    for (const host of ['localhost', '[::1]', '127.0.0.2']) {
      const local = await startApi({ port: 0, transport: 'http', dataDir: temp(), pcsc: false, jwt: false, dsUrl: `http://${host}:9`, logLevel: 'silent', env: {} });
      await local.close();
    }
  });
});
