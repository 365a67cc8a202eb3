import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { decodeProtectedHeader } from 'jose';
import { AdminClient, fetchApplicationToken, startDistributionService, type RunningDistributionService } from '@t1c/ds';
import { startApi, type RunningApi } from '../src/index.js';

const ORIGIN = 'https://portal.example.org';

describe('JWT keys from a JWKS URL: cached, refetched for an unknown kid', () => {
  let ds: RunningDistributionService;
  let api: RunningApi;
  let admin: AdminClient;
  let apiKey: string;
  const dirs: string[] = [];

  before(async () => {
    const temp = (): string => {
      const d = mkdtempSync(join(tmpdir(), 't1c-jwks-'));
      dirs.push(d);
      return d;
    };
    ds = await startDistributionService({ port: 0, dataDir: temp(), logLevel: 'silent' });
    admin = new AdminClient(ds.url, ds.adminToken);
    await admin.call('POST', '/orgs', { name: 'Org' });
    ({ apiKey } = await admin.call<{ apiKey: string }>('POST', '/apps', { org: 'Org', name: 'portal', origins: [ORIGIN] }));
    api = await startApi({
      port: 0, transport: 'http', dataDir: temp(), virtualCards: ['1.8'], pcsc: false, allowOrigins: [ORIGIN], logLevel: 'silent', env: {},
      jwksUrl: new URL('/.well-known/jwks.json', ds.url).toString(), jwtIssuer: 't1c-ds', jwtAudience: 't1c-connector', pinRateLimitPerMinute: 2,
    });
  });
  after(async () => {
    await api.close();
    await ds.close();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  const readers = (jwt: string): Promise<Response> =>
    fetch(new URL('/v3/readers', api.url), { headers: { authorization: `Bearer ${jwt}`, origin: ORIGIN } });

  it('accepts tokens signed with a key rotated in after it cached the JWKS, and still the old ones', async () => {
    const before = await fetchApplicationToken(ds.url, apiKey);
    assert.equal((await readers(before)).status, 200);
    await admin.call('POST', '/signing-keys/rotate');
    const afterRotation = await fetchApplicationToken(ds.url, apiKey);
    assert.notEqual(decodeProtectedHeader(afterRotation).kid, decodeProtectedHeader(before).kid);
    // An unknown kid makes the connector fetch the JWKS again, at most once per 5 s cooldown.
    let status = (await readers(afterRotation)).status;
    for (let i = 0; i < 30 && status !== 200; i++) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      status = (await readers(afterRotation)).status;
    }
    assert.equal(status, 200, 'unknown kid → JWKS fetched again');
    assert.equal((await readers(before)).status, 200, 'the previous key is still served during rotation');
  });

  it('rate-limits PIN operations with 429 and a T1C code', async () => {
    const jwt = await fetchApplicationToken(ds.url, apiKey);
    const list = await (await readers(jwt)).json() as { data: { id: string }[] };
    const rid = list.data[0]?.id ?? '';
    const verify = (): Promise<Response> => fetch(new URL(`/v3/modules/beid/apps/token/readers/${rid}/verify-pin`, api.url), {
      method: 'POST', headers: { authorization: `Bearer ${jwt}`, origin: ORIGIN, 'content-type': 'application/json' }, body: JSON.stringify({ pin: 'not-encrypted' }),
    });
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await verify()).status);
    assert.deepEqual(statuses.slice(0, 2).map((s) => s === 429), [false, false]);
    const limited = await verify();
    assert.equal(limited.status, 429);
    assert.equal((await limited.json() as { code: string }).code, '104002');
  });
});

describe('--tls-cert / --tls-key: a partner certificate', () => {
  let dir: string;
  let api: RunningApi;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 't1c-tls-'));
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '2',
      '-subj', '/CN=t1c.partner.test', '-addext', 'subjectAltName=DNS:t1c.partner.test', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
    api = await startApi({
      port: 0, transport: 'tls', tlsCert: join(dir, 'cert.pem'), tlsKey: join(dir, 'key.pem'), jwt: false, dataDir: join(dir, 'data'),
      virtualCards: ['1.8'], pcsc: false, logLevel: 'silent', env: {},
    });
  });
  after(async () => {
    await api.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves HTTPS with that certificate, verifiable for its DNS name', async () => {
    const ca = readFileSync(join(dir, 'cert.pem'));
    const body = await new Promise<string>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: api.port, path: '/info', servername: 't1c.partner.test', ca, checkServerIdentity: () => undefined }, (res) => {
        let text = '';
        res.on('data', (d: Buffer) => { text += d.toString(); });
        res.on('end', () => resolve(text));
        const peer = (res.socket as import('node:tls').TLSSocket).getPeerCertificate();
        assert.equal(peer.subject.CN, 't1c.partner.test');
      });
      req.on('error', reject);
      req.end();
    });
    assert.equal((JSON.parse(body) as { t1CInfoAPI: { version: string } }).t1CInfoAPI.version, '3.8.8');
  });
});
