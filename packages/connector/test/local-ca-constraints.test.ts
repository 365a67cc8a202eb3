import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import type { AddressInfo } from 'node:net';
import { connect, createServer } from 'node:tls';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ensureLocalCa, localCaPaths } from '../src/transport/local-ca.js';
import { ApiProcess } from './api-helpers/api-process.js';
import { tempDir } from './api-helpers/rig.js';
import { runCli } from './helpers/run-cli.js';

const openssl = (...args: string[]): string => execFileSync('openssl', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
/** `openssl verify` with only `caFile` as trust anchor: exit status and output. */
const verify = (caFile: string, leaf: string, untrusted?: string): { ok: boolean; out: string } => {
  const r = spawnSync('openssl', ['verify', '-x509_strict', '-CAfile', caFile, ...(untrusted ? ['-untrusted', untrusted] : []), leaf], { encoding: 'utf8' });
  return { ok: r.status === 0, out: `${r.stdout}${r.stderr}` };
};

/** Signs a fresh key for `san` with `signer` (the local CA key), as anyone holding that key could. */
function mint(dir: string, name: string, san: string, signer: { cert: string; key: string }, ca = false): string {
  const key = join(dir, `${name}-key.pem`);
  const csr = join(dir, `${name}.csr`);
  const cert = join(dir, `${name}.pem`);
  const ext = join(dir, `${name}.ext`);
  writeFileSync(ext, ca ? 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign\n' : `subjectAltName=${san}\nextendedKeyUsage=serverAuth\n`);
  openssl('req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-subj', `/CN=${name}`, '-keyout', key, '-out', csr);
  openssl('x509', '-req', '-in', csr, '-CA', signer.cert, '-CAkey', signer.key, '-CAcreateserial', '-days', '2', '-extfile', ext, '-out', cert);
  return cert;
}

describe('local CA: name constraints and path length', () => {
  const dir = tempDir('t1c-ca-nc-');
  const dataDir = join(dir.path, 'data');
  let paths: ReturnType<typeof localCaPaths>;

  before(async () => {
    await ensureLocalCa(dataDir, ['t1c.local']);
    paths = localCaPaths(dataDir);
  });
  after(() => dir.remove());

  it('the CA carries critical name constraints (localhost, configured names, loopback) and pathlen 0', () => {
    const text = openssl('x509', '-in', paths.caCert, '-noout', '-text');
    assert.match(text, /X509v3 Name Constraints: critical\s+Permitted:\s+/);
    for (const entry of ['DNS:localhost', 'DNS:t1c.local', 'IP:127.0.0.1/255.255.255.255', 'IP:0:0:0:0:0:0:0:1/FFFF:FFFF:FFFF:FFFF:FFFF:FFFF:FFFF:FFFF']) {
      assert.ok(text.includes(entry), entry);
    }
    assert.match(text, /X509v3 Basic Constraints: critical\s+CA:TRUE, pathlen:0/);
  });

  it('openssl verify: the connector leaf passes; leaves the CA key signs for other names, and intermediates, fail', () => {
    assert.deepEqual(verify(paths.caCert, paths.cert), { ok: true, out: `${paths.cert}: OK\n` });
    const signer = { cert: paths.caCert, key: paths.caKey };
    const foreign: [string, string][] = [['evil', 'DNS:evil.example'], ['suffix', 'DNS:t1c.local.evil.example'], ['lan', 'IP:10.0.0.1'], ['mixed', 'DNS:localhost,DNS:www.bank.example']];
    for (const [name, san] of foreign) {
      const result = verify(paths.caCert, mint(dir.path, name, san, signer));
      assert.equal(result.ok, false, `${san}: ${result.out}`);
      assert.match(result.out, /permitted subtree violation/, san);
    }
    const good = verify(paths.caCert, mint(dir.path, 'good', 'DNS:t1c.local,IP:127.0.0.1', signer));
    assert.equal(good.ok, true, good.out);
    const intermediate = mint(dir.path, 'intermediate', '', signer, true);
    const below = verify(paths.caCert, mint(dir.path, 'below', 'DNS:localhost', { cert: intermediate, key: join(dir.path, 'intermediate-key.pem') }), intermediate);
    assert.equal(below.ok, false, below.out);
    assert.match(below.out, /path length constraint exceeded/);
  });

  it('Node TLS with the CA as only anchor refuses a server presenting an evil.example leaf from that CA, accepts a permitted one', async () => {
    const signer = { cert: paths.caCert, key: paths.caKey };
    /** Connects to a TLS server presenting `name`'s leaf; the error, or undefined when trusted. */
    const handshake = async (name: string, san: string, servername: string): Promise<NodeJS.ErrnoException | undefined> => {
      const cert = mint(dir.path, name, san, signer);
      const server = createServer({ cert: readFileSync(cert), key: readFileSync(join(dir.path, `${name}-key.pem`)) }, (s) => s.end());
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      try {
        return await new Promise<NodeJS.ErrnoException | undefined>((resolve) => {
          const socket = connect({ host: '127.0.0.1', port: (server.address() as AddressInfo).port, servername, ca: readFileSync(paths.caCert) }, () => {
            socket.end();
            resolve(undefined);
          });
          socket.on('error', resolve);
        });
      } finally {
        await new Promise<void>((resolve) => server.close(() => resolve()));
      }
    };
    assert.equal(await handshake('ok-tls', 'DNS:t1c.local', 't1c.local'), undefined, 'a permitted name is trusted');
    const refused = await handshake('evil-tls', 'DNS:evil.example', 'evil.example');
    assert.ok(refused, 'the evil.example leaf is refused');
    // OpenSSL's X509_V_ERR_PERMITTED_VIOLATION, which Node reports without a name of its own.
    assert.equal(refused.code, 'UNSPECIFIED', refused.message);
  });

  it('new configured names make a new CA (old key overwritten, old certificate kept for `t1c cert install`); same names keep it', async () => {
    const first = await ensureLocalCa(dataDir, ['t1c.local']);
    assert.equal(first.caRenewed, false);
    const oldKey = readFileSync(paths.caKey, 'utf8');
    const changed = await ensureLocalCa(dataDir, ['other.local']);
    assert.equal(changed.caRenewed, true);
    assert.notEqual(changed.caCertPem, first.caCertPem);
    assert.notEqual(readFileSync(paths.caKey, 'utf8'), oldKey);
    assert.equal(changed.previousCaCertPem, first.caCertPem);
    const text = openssl('x509', '-in', paths.caCert, '-noout', '-text');
    assert.ok(text.includes('DNS:other.local') && !text.includes('DNS:t1c.local'));
    assert.equal(verify(paths.caCert, paths.cert).ok, true, 'the new leaf chains to the new CA');
    assert.equal((await ensureLocalCa(dataDir, ['other.local'])).caRenewed, false);
  });

  it('a CA made before name constraints existed is replaced', async () => {
    const old = tempDir('t1c-ca-old-');
    try {
      const p = localCaPaths(old.path);
      execFileSync('mkdir', ['-p', join(old.path, 'tls')]);
      openssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '30', '-subj', '/CN=T1C Local CA old',
        '-addext', 'basicConstraints=critical,CA:TRUE,pathlen:0', '-keyout', p.caKey, '-out', p.caCert);
      const before = readFileSync(p.caCert, 'utf8');
      const made = await ensureLocalCa(old.path);
      assert.equal(made.caRenewed, true);
      assert.notEqual(made.caCertPem, before);
      assert.match(openssl('x509', '-in', p.caCert, '-noout', '-text'), /Name Constraints: critical/);
    } finally {
      old.remove();
    }
  });
});

describe('t1c api --local-ca: a real HTTPS client trusting only the CA still connects', () => {
  const dir = tempDir('t1c-ca-api-');
  let api: ApiProcess;
  let ca: string;

  const get = (host: string, servername: string): Promise<number> => new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: api.port, path: '/info', servername, ca, agent: false, headers: { host: `${host}:${api.port}` } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });

  before(async () => {
    api = await ApiProcess.start(['--local-ca', '--no-jwt', '--no-pcsc', '--hostname', 't1c.local', '--data-dir', join(dir.path, 'data')], { XDG_CONFIG_HOME: join(dir.path, 'config') });
    ca = readFileSync(localCaPaths(join(dir.path, 'data')).caCert, 'utf8');
  });
  after(async () => {
    await api.stop();
    dir.remove();
  });

  it('https://localhost and https://t1c.local (name in the CA constraints) verify with ca: caPem', async () => {
    assert.ok(existsSync(localCaPaths(join(dir.path, 'data')).caCert));
    assert.equal(await get('localhost', 'localhost'), 200);
    assert.equal(await get('t1c.local', 't1c.local'), 200);
  });
});

describe('t1c cert install after the names changed', () => {
  it('takes the previous CA out of the NSS store and trusts the new one', async () => {
    const home = tempDir('t1c-ca-home-');
    try {
      const nss = join(home.path, '.pki', 'nssdb');
      execFileSync('mkdir', ['-p', nss]);
      execFileSync('certutil', ['-d', `sql:${nss}`, '-N', '--empty-password']);
      const env = { HOME: home.path, XDG_CONFIG_HOME: join(home.path, 'config') };
      const dataDir = join(home.path, 'data');
      const cn = (): string => /CN\s*=\s*(T1C Local CA [0-9a-f]+)/.exec(openssl('x509', '-in', localCaPaths(dataDir).caCert, '-noout', '-subject'))?.[1] ?? '';
      const listed = (): string => execFileSync('certutil', ['-d', `sql:${nss}`, '-L'], { encoding: 'utf8' });

      const first = await runCli(['cert', 'install', '--data-dir', dataDir], '', { ...env, T1C_HOSTNAMES: 'a.local' });
      assert.equal(first.code, 0, first.stderr);
      const firstCa = cn();
      assert.match(listed(), new RegExp(`${firstCa}\\s+C,,`));

      const second = await runCli(['cert', 'install', '--data-dir', dataDir], '', { ...env, T1C_HOSTNAMES: 'b.local' });
      assert.equal(second.code, 0, second.stderr);
      const secondCa = cn();
      assert.notEqual(secondCa, firstCa);
      assert.match(second.stdout, new RegExp(`previous CA ${firstCa} removed`));
      assert.ok(!listed().includes(firstCa), 'the previous CA is no longer trusted');
      assert.match(listed(), new RegExp(`${secondCa}\\s+C,,`));
      assert.equal(existsSync(join(dataDir, 'tls', 'ca-previous.pem')), false);
    } finally {
      home.remove();
    }
  });
});
