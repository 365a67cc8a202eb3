import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { AdminClient, startDistributionService, type RunningDistributionService } from '@t1c/ds';
import { ApiProcess } from './api-helpers/api-process.js';
import { tempDir } from './api-helpers/rig.js';
import { runCli } from './helpers/run-cli.js';

describe('t1c api: the registration key never goes on the command line', () => {
  const dir = tempDir('t1c-regkey-');
  let ds: RunningDistributionService;
  let admin: AdminClient;
  let key: string;
  let n = 0;
  const fresh = (): string => join(dir.path, `case-${++n}`);
  const baseArgs = (dataDir: string): string[] => ['api', '--http', '--no-jwt', '--no-pcsc', '--port', '0', '--ds-url', ds.url, '--data-dir', dataDir];
  const devices = async (): Promise<unknown[]> => admin.call<unknown[]>('GET', '/devices');

  before(async () => {
    ds = await startDistributionService({ port: 0, dataDir: join(dir.path, 'ds'), logLevel: 'silent' });
    admin = new AdminClient(ds.url, ds.adminToken);
    key = (await admin.call<{ registrationKey: string }>('PUT', '/versions/0.1.0', {})).registrationKey;
  });
  after(async () => {
    await ds.close();
    dir.remove();
  });

  it('--help names the file option and the environment variable, not a key flag', async () => {
    const help = await runCli(['api', '--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /--registration-key-file <file>/);
    assert.match(help.stdout.replace(/\s+/g, ' '), /T1C_REGISTRATION_KEY/);
    assert.doesNotMatch(help.stdout, /--registration-key </);
  });

  it('a key file (surrounding blanks and newline trimmed) registers the connector with a real DS', async () => {
    const file = join(dir.path, 'registration-key');
    writeFileSync(file, `  ${key}\n\n`, { mode: 0o600 });
    const before = (await devices()).length;
    const api = await ApiProcess.start(['--http', '--no-jwt', '--no-pcsc', '--ds-url', ds.url, '--registration-key-file', file, '--data-dir', fresh()]);
    try {
      // Registration runs right after listen; wait (bounded) for the DS to list the device.
      for (let i = 0; i < 100 && (await devices()).length === before; i++) await new Promise((r) => setTimeout(r, 100));
      assert.equal((await devices()).length, before + 1);
    } finally {
      await api.stop();
    }
  });

  it('an unreadable, empty or malformed file: one error line naming the file, exit ≠ 0, nothing written', async () => {
    const empty = join(dir.path, 'empty');
    writeFileSync(empty, '');
    const blank = join(dir.path, 'blank');
    writeFileSync(blank, ' \n\t\n');
    const malformed = join(dir.path, 'malformed');
    writeFileSync(malformed, 'not-a-key-but-a-secret-elsewhere\n');
    const twoKeys = join(dir.path, 'two');
    writeFileSync(twoKeys, `${key}\n${key}\n`);
    const apiKey = join(dir.path, 'api-key');
    writeFileSync(apiKey, `t1cak_0123456789abcdef.${'a'.repeat(43)}\n`);
    const huge = join(dir.path, 'huge');
    writeFileSync(huge, `${key}\n${' '.repeat(10_000)}`);
    const folder = join(dir.path, 'a-folder');
    mkdirSync(folder);
    const noRead = join(dir.path, 'no-read');
    writeFileSync(noRead, key);
    chmodSync(noRead, 0o000);
    const cases: [string, RegExp][] = [
      [join(dir.path, 'missing'), /cannot read it \(ENOENT\)/],
      [folder, /cannot read it \(EISDIR\)/],
      [huge, /cannot read it \(larger than 4096 bytes\)/],
      [empty, /the file is empty/],
      [blank, /the file is empty/],
      [malformed, /does not hold a registration key/],
      [twoKeys, /does not hold a registration key/],
      [apiKey, /does not hold a registration key/],
    ];
    // Root reads a 0000 file anyway; elsewhere it is one more unreadable case.
    if (process.getuid?.() !== 0) cases.push([noRead, /cannot read it \(EACCES\)/]);
    const devicesBefore = (await devices()).length;
    for (const [file, reason] of cases) {
      const dataDir = fresh();
      const result = await runCli([...baseArgs(dataDir), '--registration-key-file', file], '', { XDG_CONFIG_HOME: join(dir.path, 'config') });
      assert.notEqual(result.code, 0, file);
      assert.equal(result.stderr.split('\n').filter((l) => l !== '').length, 1, `${file}: ${result.stderr}`);
      assert.ok(result.stderr.startsWith(`t1c: --registration-key-file ${file}: `), result.stderr);
      assert.match(result.stderr, reason);
      assert.ok(!result.stderr.includes('not-a-key') && !result.stderr.includes(key), 'the file content is not echoed');
      assert.equal(existsSync(dataDir), false, `${file}: nothing written in the data dir`);
    }
    assert.equal((await devices()).length, devicesBefore);
  });

  it('--registration-key KEY is refused, pointing at the file and the environment', async () => {
    const dataDir = fresh();
    const result = await runCli([...baseArgs(dataDir), '--registration-key', key]);
    assert.notEqual(result.code, 0);
    assert.equal(result.stderr, 't1c: --registration-key is not accepted: a key on the command line is visible to every user (ps). Put it in a file and pass --registration-key-file FILE, or set T1C_REGISTRATION_KEY\n');
    assert.equal(existsSync(dataDir), false);
  });

  it('T1C_REGISTRATION_KEY still works, and a malformed one is refused without being echoed', async () => {
    const dataDir = fresh();
    const bad = await runCli(baseArgs(dataDir), '', { T1C_REGISTRATION_KEY: 'oops-secret' });
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /^t1c: invalid settings: registrationKey: not a registration key/);
    assert.ok(!bad.stderr.includes('oops-secret'));
    assert.equal(existsSync(dataDir), false);

    const second = (await admin.call<{ registrationKey: string }>('POST', '/versions/0.1.0/registration-keys')).registrationKey;
    const before = (await devices()).length;
    const api = await ApiProcess.start(['--http', '--no-jwt', '--no-pcsc', '--ds-url', ds.url, '--data-dir', fresh()], { T1C_REGISTRATION_KEY: second });
    try {
      for (let i = 0; i < 100 && (await devices()).length === before; i++) await new Promise((r) => setTimeout(r, 100));
      assert.equal((await devices()).length, before + 1);
    } finally {
      await api.stop();
    }
  });
});
