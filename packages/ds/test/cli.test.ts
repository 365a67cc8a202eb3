import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Command } from 'commander';
import { type RunningDistributionService, fetchApplicationToken, registerDsCommands, startDistributionService } from '../src/index.js';
import { tempDir } from './helpers/tmp.js';

describe('t1c ds admin CLI', () => {
  let ds: RunningDistributionService;
  const dir = tempDir('t1c-ds-cli-');
  const tokenFile = join(dir.path, 'token');

  /** Runs one CLI invocation in-process and returns its parsed JSON output. */
  const run = async (...args: string[]): Promise<unknown> => {
    let out = '';
    const program = new Command('t1c').exitOverride().configureOutput({ writeErr: () => undefined, writeOut: () => undefined });
    registerDsCommands(program, { out: (t) => { out += t; } });
    await program.parseAsync(['node', 't1c', 'ds', 'admin', '--ds-url', ds.url, '--token-file', tokenFile, ...args]);
    return JSON.parse(out);
  };

  before(async () => {
    ds = await startDistributionService({ port: 0, dataDir: join(dir.path, 'data'), logLevel: 'silent' });
    writeFileSync(tokenFile, `${ds.adminToken}\n`, { mode: 0o600 });
  });
  after(async () => {
    await ds.close();
    dir.remove();
  });

  it('runs the whole admin flow', async () => {
    const org = await run('org', 'create', 'Acme') as { id: string; name: string };
    assert.equal(org.name, 'Acme');
    const app = await run('app', 'create', '--org', 'Acme', '--name', 'web', '--origin', 'https://web.acme.test', '--origin', 'https://*.acme.org') as Record<string, string>;
    assert.deepEqual(Object.keys(app).sort(), ['apiKey', 'applicationId']);
    const jwt = await fetchApplicationToken(ds.url, app.apiKey ?? '');
    assert.ok(jwt.split('.').length === 3);
    const added = await run('origin', 'add', app.applicationId ?? '', 'http://localhost:4200') as { origins: string[] };
    assert.deepEqual(added.origins, ['http://localhost:4200', 'https://*.acme.org', 'https://web.acme.test']);
    const removed = await run('origin', 'remove', app.applicationId ?? '', 'https://web.acme.test') as { origins: string[] };
    assert.deepEqual(removed.origins, ['http://localhost:4200', 'https://*.acme.org']);
    const rotated = await run('app', 'rotate-key', app.applicationId ?? '') as { apiKey: string };
    assert.notEqual(rotated.apiKey, app.apiKey);
    await assert.rejects(fetchApplicationToken(ds.url, app.apiKey ?? ''));
    await run('app', 'revoke-key', app.applicationId ?? '');
    await assert.rejects(fetchApplicationToken(ds.url, rotated.apiKey));

    const v = await run('version', 'add', '3.8.1', '--uri', 'win64=https://dl.test/3.8.1.msi', 'macosarm=https://dl.test/3.8.1.pkg', '--recommended', '--mandatory') as { version: Record<string, unknown>; registrationKey: string };
    assert.deepEqual(v.version.uris, { win64: 'https://dl.test/3.8.1.msi', macosarm: 'https://dl.test/3.8.1.pkg' });
    assert.equal(v.version.mandatory, true);
    assert.match(v.registrationKey, /^t1crk_/);
    const limited = await run('version', 'registration-key', '3.8.1', '--max-devices', '25') as { maxDevices: number; registrationKey: string };
    assert.equal(limited.maxDevices, 25);
    assert.match(limited.registrationKey, /^t1crk_/);
    assert.equal((await run('version', 'registration-key', '3.8.1') as { maxDevices: number }).maxDevices, 10_000);
    const blocked = await run('version', 'add', '3.0.0', '--blocked') as { version: { allowed: boolean } };
    assert.equal(blocked.version.allowed, false);
    assert.deepEqual((await run('versions') as Array<{ id: string }>).map((x) => x.id), ['3.8.1', '3.0.0']);
    assert.deepEqual(await run('devices'), []);
    assert.deepEqual(await run('transactions'), []);
    const variadic = await run('app', 'create', '--org', 'Acme', '--name', 'multi', '--origin', 'https://a.test', 'https://b.test', '--origin', 'https://c.test') as { applicationId: string };
    const multi = await run('app', 'list') as Array<{ id: string; origins: string[] }>;
    assert.deepEqual(multi.find((m) => m.id === variadic.applicationId)?.origins, ['https://a.test', 'https://b.test', 'https://c.test']);
    const { kid } = await run('rotate-signing-key') as { kid: string };
    assert.match(kid, /^[A-Za-z0-9_-]{16}$/);
  });

  it('rotates token and sync keys separately (--purpose)', async () => {
    const jwks = async (): Promise<string[]> => ((await (await fetch(`${ds.url}/.well-known/jwks.json`)).json()) as { keys: { kid: string }[] }).keys.map((k) => k.kid);
    const before = await jwks();
    const sync = await run('rotate-signing-key', '--purpose', 'sync') as { kid: string; purpose: string };
    assert.equal(sync.purpose, 'sync');
    assert.deepEqual(await jwks(), before, 'a sync key is never published as a token key');
    const token = await run('rotate-signing-key', '--purpose', 'token') as { kid: string; purpose: string };
    assert.deepEqual([token.purpose, (await jwks())[0]], ['token', token.kid]);
    await assert.rejects(run('rotate-signing-key', '--purpose', 'both'), /Allowed choices are token, sync/);
  });

  it('refuses a plain-http --ds-url to another host: the admin token would travel in clear', async () => {
    const program = new Command('t1c').exitOverride().configureOutput({ writeErr: () => undefined, writeOut: () => undefined });
    registerDsCommands(program, { out: () => undefined });
    await assert.rejects(program.parseAsync(['node', 't1c', 'ds', 'admin', '--ds-url', 'http://ds.example.org', '--token-file', tokenFile, 'devices']),
      /--ds-url: plain http:\/\/ is refused for ds\.example\.org/);
  });

  it('reports DS errors with their code', async () => {
    await assert.rejects(run('version', 'add', '1.0', '--uri', 'win64=https://x.test/i'), /106400/);
    await assert.rejects(run('version', 'add', '1.0.0', '--uri', 'nonsense'), /OS=URL/);
    await assert.rejects(run('org', 'create', 'Acme'), /105409/);
    await assert.rejects(run('version', 'add', '4.0.0', '--uri', 'win64=http://x.test/i.msi'), /106400.*https:\/\//);
    await assert.rejects(run('version', 'registration-key', '3.8.1', '--max-devices', '0'), /106400/);
    await assert.rejects(run('app', 'create', '--org', 'Acme', '--name', 'pages', '--origin', 'https://*.github.io'), /106400.*public suffix/);
  });
});
