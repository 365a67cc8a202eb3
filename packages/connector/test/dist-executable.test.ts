import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { attachToVpcd, BeidVirtualCard, startPcscd, type PcscdHarness, type VpcdLink } from '@t1c/emulator';
import { beidPath } from './api-helpers/fixture.js';
import { ensureExecutables, ExeApi, ROOT, ROOT_VERSION, runExe } from './helpers/dist-exe.js';

interface Reader { id: string; name: string; card?: { modules?: string[] } }

describe('dist/linux-x64/t1c, the single executable', () => {
  let exe: string;
  let home: string;
  const env = (): NodeJS.ProcessEnv => ({ HOME: home, XDG_DATA_HOME: '', XDG_CONFIG_HOME: '', T1C_DATA_DIR: '' });

  before(async () => {
    exe = (await ensureExecutables(['linux-x64']))['linux-x64'] ?? '';
    home = mkdtempSync(join(tmpdir(), 't1c-exe-home-'));
  });
  after(() => rmSync(home, { recursive: true, force: true }));

  it('--version prints the root package.json version', async () => {
    const r = await runExe(exe, ['--version'], env());
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim(), ROOT_VERSION);
  });

  it('takes its words the same whether started by path, relative path or a name on PATH', async () => {
    const dir = join(exe, '..');
    const byRelative = await new Promise<string>((resolve, reject) => {
      execFile('./t1c', ['--version'], { cwd: dir, env: { ...process.env, ...env() } }, (e, out) => (e ? reject(e) : resolve(out)));
    });
    assert.equal(byRelative.trim(), ROOT_VERSION);
    const byName = await new Promise<string>((resolve, reject) => {
      execFile('t1c', ['--version'], { env: { ...process.env, ...env(), PATH: `${dir}:${process.env.PATH ?? ''}` } }, (e, out) => (e ? reject(e) : resolve(out)));
    });
    assert.equal(byName.trim(), ROOT_VERSION);
  });

  it('refuses the commands that are not desktop ones (no DS, emulator or demo inside)', async () => {
    for (const word of ['ds', 'emulator', 'start']) {
      const r = await runExe(exe, [word], env());
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, /unknown command/);
    }
  });

  it('serves /info and reads the in-process virtual eID over HTTP; its sandbox is the same executable', async () => {
    const api = await ExeApi.start(exe, ['--http', '--no-jwt', '--no-pcsc', '--virtual-card', 'beid'], env());
    try {
      const info = await api.get('/info');
      assert.equal(info.status, 200);
      assert.equal((info.body as { t1CInfoAPI?: { activated?: boolean } }).t1CInfoAPI?.activated, true);
      assert.equal((info.body as { t1CInfoUser?: { installedDir?: string } }).t1CInfoUser?.installedDir, dirname(exe), 'installedDir is the executable\'s folder');
      const readers = (await api.get('/v3/readers')).body.data as Reader[];
      const virtual = readers.find((r) => r.name.includes('Virtual Reader'));
      assert.ok(virtual, JSON.stringify(readers));
      const bio = await api.get(beidPath(virtual.id, 'biometric'));
      assert.equal(bio.status, 200, JSON.stringify(bio.body));
      assert.equal((bio.body.data as { nationalNumber?: string }).nationalNumber?.length, 11);
      const photo = await api.get(beidPath(virtual.id, 'picture'));
      assert.equal(photo.status, 200, JSON.stringify(photo.body));
      // Any thread may have spawned it: read every thread's children.
      const children = readdirSync(`/proc/${api.pid}/task`).flatMap((t) => readFileSync(`/proc/${api.pid}/task/${t}/children`, 'utf8').trim().split(/\s+/).filter(Boolean));
      assert.equal(children.length, 1);
      const cmdline = readFileSync(`/proc/${children[0]}/cmdline`, 'utf8').split('\0');
      assert.equal(cmdline[0], exe);
      assert.equal(cmdline[1], 'sandbox');
    } finally {
      await api.stop();
    }
  });

  describe('through a real pcscd with a vpcd reader', () => {
    let pcscd: PcscdHarness;
    let link: VpcdLink;

    before(async () => {
      pcscd = await startPcscd({ readerPairs: 1 });
      link = await attachToVpcd(await BeidVirtualCard.create({ appletVersion: '1.8' }), { port: pcscd.readers[0]?.port ?? 0 });
    });
    after(async () => {
      await link.close();
      await pcscd.stop();
    });

    it('lists the vpcd reader and reads the card, with koffi loaded from a hash-checked copy in a 0700 dir', async () => {
      const api = await ExeApi.start(exe, ['--http', '--no-jwt'], env());
      try {
        let readers: Reader[] = [];
        for (let i = 0; i < 50 && !readers.some((r) => r.name === 'Virtual PCD 00 00' && r.card); i++) {
          readers = (await api.get('/v3/readers')).body.data as Reader[];
          if (!readers.some((r) => r.card)) await new Promise((resolve) => setTimeout(resolve, 100));
        }
        const reader = readers.find((r) => r.name === 'Virtual PCD 00 00');
        assert.ok(reader && reader.card?.modules?.includes('beid'), JSON.stringify(readers));
        const bio = await api.get(beidPath(reader.id, 'biometric'));
        assert.equal(bio.status, 200, JSON.stringify(bio.body));
      } finally {
        await api.stop();
      }
      const native = join(home, '.local', 'share', 't1c', 'native');
      assert.equal(statSync(native).mode & 0o777, 0o700);
      const [addon] = readdirSync(native);
      assert.match(addon ?? '', /^koffi-[0-9a-f]{32}\.node$/);
      const pinned = readFileSync(join(ROOT, 'dist', '.cache', 'koffi-linux-x64-3.3.4', 'koffi.node'));
      assert.equal(`koffi-${createHash('sha256').update(pinned).digest('hex').slice(0, 32)}.node`, addon);
    });

    it('replaces a tampered koffi copy instead of loading it', async () => {
      const native = join(home, '.local', 'share', 't1c', 'native');
      const [addon] = readdirSync(native);
      assert.ok(addon);
      writeFileSync(join(native, addon), 'not a shared object');
      const api = await ExeApi.start(exe, ['--http', '--no-jwt'], env());
      try {
        let readers: Reader[] = [];
        for (let i = 0; i < 50 && !readers.some((r) => r.card); i++) {
          readers = (await api.get('/v3/readers')).body.data as Reader[];
          if (!readers.some((r) => r.card)) await new Promise((resolve) => setTimeout(resolve, 100));
        }
        assert.ok(readers.some((r) => r.name === 'Virtual PCD 00 00' && r.card), JSON.stringify(readers));
      } finally {
        await api.stop();
      }
      const pinned = readFileSync(join(ROOT, 'dist', '.cache', 'koffi-linux-x64-3.3.4', 'koffi.node'));
      assert.deepEqual(readFileSync(join(native, addon)), pinned);
    });
  });
});
