import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { existsSync, lstatSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { beidPath } from './api-helpers/fixture.js';
import { client, errorCode, verifiedData } from './api-helpers/http.js';
import { clientAsUser } from './api-helpers/http-as-user.js';
import { startPcscRig, type PcscRig } from './api-helpers/rig.js';
import { ensureDeb, packageChecks, sh } from './helpers/deb-package.js';
import { buildDeb } from '../../../packaging/installers/deb.mjs';
import { executableOf, ROOT, ROOT_VERSION } from './helpers/dist-exe.js';
import { processesOf, ThrowawayRoot, type UpperEntry } from './helpers/throwaway-root.js';

const ENABLE_LINK = '/etc/systemd/user/default.target.wants/t1c.service';
const MASK_LINK = '/etc/systemd/user/t1c.service';
const HELPER_STATE = '/var/lib/systemd/deb-systemd-user-helper-enabled';
const SYSTEM_CONFIG = '/etc/t1c/connector.json';
const [MAJOR, MINOR, PATCH] = ROOT_VERSION.split(/[.-]/).map(Number);
/** The version of the rebuilt package installed over the first one. */
const NEXT_VERSION = `${MAJOR ?? 0}.${MINOR ?? 0}.${(PATCH ?? 0) + 1}`;
/**
 * Paths outside the package that installing, running and purging may change: dpkg's books and
 * logs, man-db's index and page cache (its trigger and `systemd-analyze verify` reading the man
 * page fill them), the test user's home, temp files.
 */
// mimeinfo.cache is desktop-file-utils': its dpkg trigger rebuilds it from every menu entry
// (ours included) and it stays, like for any package with a menu entry.
const ALLOWED_CHANGES = [/^usr\/share\/applications\/mimeinfo\.cache$/, /^var\/lib\/dpkg\//, /^var\/log\//, /^var\/cache\/(debconf|ldconfig|man)\//, /^home\/t1c-deb-test(\/|$)/, /^tmp\//, /^etc\/(passwd|group|shadow|gshadow|subuid|subgid)-?$/];
/** Directories compared file by file before install and after purge, inside the throw-away root. */
const SNAPSHOT_DIRS = ['/etc', '/usr', '/opt', '/var/lib'];

function isLink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}

/** A uid with no passwd entry on this machine and no process, for the throw-away user. */
function freeUid(): number {
  const taken = new Set(readFileSync('/etc/passwd', 'utf8').split('\n').map((l) => Number(l.split(':')[2])));
  for (let uid = 61_000; uid < 65_000; uid++) if (!taken.has(uid) && processesOf(uid).length === 0) return uid;
  throw new Error('no free uid');
}

/** Resolves with the URL the API announces on stderr. */
function apiUrl(child: ChildProcess, output: { text: string }): Promise<string> {
  return new Promise((resolve, reject) => {
    const onData = (d: Buffer): void => {
      output.text += d.toString();
      const m = /t1c api listening on (https?:\/\/\S+)/.exec(output.text);
      if (m?.[1] !== undefined) resolve(m[1]);
    };
    child.stderr?.on('data', onData);
    child.stdout?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`installed t1c api exited with ${code}: ${output.text}`)));
  });
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  await exited;
}

describe('dist/t1c-<version>-linux-x64.deb: lintian, desktop-file-validate, systemd-analyze, install/read/purge', () => {
  packageChecks('linux-x64');

  let debFile = '';
  before(async () => {
    debFile = await ensureDeb('linux-x64');
  });
  const deb = (): string => debFile;

  it('the autostart entry passes desktop-file-validate, defers to systemd and only runs where the program is', () => {
    const unpacked = mkdtempSync(join(tmpdir(), 't1c-deb-x-'));
    try {
      assert.equal(sh('dpkg-deb', ['-x', deb(), unpacked]).code, 0);
      const desktop = join(unpacked, 'etc/xdg/autostart/t1c.desktop');
      const r = sh('desktop-file-validate', [desktop]);
      assert.equal(r.code, 0, `${r.stdout}${r.stderr}`);
      assert.equal(`${r.stdout}${r.stderr}`.trim(), '', 'no hints either');
      const text = readFileSync(desktop, 'utf8');
      assert.match(text, /^Exec=\/usr\/lib\/t1c\/autostart$/m);
      assert.match(text, /^TryExec=\/usr\/lib\/t1c\/autostart$/m);
      assert.match(text, /^X-systemd-skip=true$/m);
      const unit = readFileSync(join(unpacked, 'usr/lib/systemd/user/t1c.service'), 'utf8');
      assert.match(unit, /^ExecStart=\/usr\/bin\/t1c api$/m);
      assert.match(unit, /^Restart=on-failure$/m);
      assert.match(unit, /^WantedBy=default\.target$/m);
    } finally {
      rmSync(unpacked, { recursive: true, force: true });
    }
  });

  it('"Check the card connector" in the menu: a valid entry running t1c doctor in a terminal that stays open', () => {
    const unpacked = mkdtempSync(join(tmpdir(), 't1c-deb-x-'));
    try {
      assert.equal(sh('dpkg-deb', ['-x', deb(), unpacked]).code, 0);
      const desktop = join(unpacked, 'usr/share/applications/t1c-doctor.desktop');
      const r = sh('desktop-file-validate', [desktop]);
      assert.equal(`${r.stdout}${r.stderr}`.trim(), '', 'no errors or hints');
      assert.equal(r.code, 0);
      const text = readFileSync(desktop, 'utf8');
      assert.match(text, /^Name=Check the card connector$/m);
      assert.match(text, /^Exec=\/usr\/lib\/t1c\/check-connector$/m);
      assert.match(text, /^Terminal=true$/m);
      const script = join(unpacked, 'usr/lib/t1c/check-connector');
      assert.equal(statSync(script).mode & 0o777, 0o755);
      const lint = sh('shellcheck', [script]);
      assert.equal(lint.code, 0, lint.stdout);
      assert.match(readFileSync(script, 'utf8'), /^\/usr\/bin\/t1c doctor "\$@"$/m);
    } finally {
      rmSync(unpacked, { recursive: true, force: true });
    }
  });

  describe('install with dpkg -i in a throw-away root, read a virtual eID through pcscd as a normal user, purge', () => {
    let root: ThrowawayRoot;
    let rig: PcscRig;
    let uid: number;
    let debInRoot: string;
    let nextDir: string;
    let nextDeb: string;
    const user = 't1c-deb-test';
    let upperBefore: UpperEntry[];
    let filesBefore: Set<string>;

    const inRoot = async (command: readonly string[], env?: NodeJS.ProcessEnv): Promise<string> => {
      const r = await root.run(command, env ? { env } : {});
      assert.equal(r.code, 0, `${command.join(' ')}: ${r.stdout}${r.stderr}`);
      return r.stdout;
    };
    const exists = async (path: string): Promise<boolean> => (await root.run(['test', '-e', path])).code === 0
      || (await root.run(['test', '-L', path])).code === 0;
    const snapshot = (): Promise<Set<string>> => inRoot(['find', ...SNAPSHOT_DIRS, '-xdev', '-printf', '%y %p\\n']).then((s) => new Set(s.split('\n').filter(Boolean)));
    const asUser = (command: readonly string[]): string[] => ['setpriv', `--reuid=${uid}`, `--regid=${uid}`, '--init-groups', '--reset-env', '--', ...command];

    before(async () => {
      assert.equal(existsSync('/usr/bin/t1c') || existsSync('/usr/lib/t1c'), false, 'this machine already has t1c installed outside the test');
      root = await ThrowawayRoot.create();
      uid = freeUid();
      await inRoot(['useradd', '--uid', String(uid), '--user-group', '--create-home', '--shell', '/bin/sh', user]);
      // The .deb is on the real disk, so the root sees it through the overlay's lower layer.
      debInRoot = deb();
      // Built on the real disk before anything is installed, like the first one.
      nextDir = mkdtempSync(join(ROOT, 'dist', '.deb-next-'));
      nextDeb = buildDeb({ root: ROOT, distDir: nextDir, version: NEXT_VERSION, target: { name: 'linux-x64', arch: 'x64', dir: dirname(executableOf('linux-x64')), executable: executableOf('linux-x64') }, compression: 'none' });
      upperBefore = await root.upperEntries();
      filesBefore = await snapshot();
      rig = await startPcscRig([{ appletVersion: '1.8' }]);
    });

    after(async () => {
      for (const pid of processesOf(uid)) process.kill(pid, 'SIGKILL');
      await rig?.close();
      await root?.close();
      if (nextDir) rmSync(nextDir, { recursive: true, force: true });
      assert.equal(existsSync('/usr/lib/t1c'), false, 'the real root stays untouched');
    });

    it('dpkg -i installs the files, the global enable link and the autostart entry', async () => {
      await inRoot(['dpkg', '-i', debInRoot]);
      assert.match(await inRoot(['dpkg-query', '-W', '-f', '${Status} ${Version}', 't1c']), new RegExp(`install ok installed ${ROOT_VERSION.replaceAll('.', '\\.')}`));
      for (const path of ['/usr/lib/t1c/t1c', '/usr/bin/t1c', '/usr/lib/systemd/user/t1c.service', '/etc/xdg/autostart/t1c.desktop']) assert.ok(await exists(path), path);
      assert.equal((await inRoot(['readlink', ENABLE_LINK])).trim(), '/usr/lib/systemd/user/t1c.service');
      assert.ok(await exists(`${HELPER_STATE}/t1c.service.dsh-also`), 'deb-systemd-helper records the link it made');
      assert.equal((await inRoot(['/usr/bin/t1c', '--version'])).trim(), ROOT_VERSION);
    });

    it('systemd-analyze verifies the installed user unit (ExecStart exists, man page found)', async () => {
      const runtime = (await inRoot(['mktemp', '-d'])).trim();
      const man = (await root.run(['test', '-x', '/usr/bin/man'])).code === 0;
      const r = await root.run(['systemd-analyze', '--user', 'verify', ...(man ? [] : ['--man=no']), '/usr/lib/systemd/user/t1c.service'], { env: { XDG_RUNTIME_DIR: runtime } });
      await inRoot(['rm', '-rf', runtime]);
      assert.equal(r.code, 0, `${r.stdout}${r.stderr}`);
      assert.equal(`${r.stdout}${r.stderr}`.trim(), '', 'no complaints');
    });

    it('a normal user runs the installed /usr/bin/t1c api and reads the eID in pcscd\'s vpcd reader over HTTP', async () => {
      const child = root.spawn(asUser(['/usr/bin/t1c', 'api', '--http', '--no-jwt', '--port', '0', '--log-level', 'warn']));
      const output = { text: '' };
      try {
        const url = await apiUrl(child, output);
        const base = `http://127.0.0.1:${new URL(url).port}`;
        // As the user: the connector serves only the OS user who runs it.
        const c = clientAsUser(base, (argv) => root.run(asUser(argv)));
        try {
          const asRoot = client(base);
          const refused = await asRoot.call('GET', '/info').finally(() => asRoot.close());
          assert.deepEqual([refused.status, errorCode(refused)], [403, '104032'], 'another OS user (the test, root) is refused');
          const info = await c.call('GET', '/info');
          assert.equal(info.status, 200, info.text);
          const keyAnswer = await c.call('GET', '/device-key');
          const deviceKey = String((keyAnswer.json as { data?: unknown } | undefined)?.data);
          assert.match(deviceKey, /BEGIN PUBLIC KEY/);
          verifiedData(keyAnswer, deviceKey);
          const readers = verifiedData(await c.call('GET', '/v3/readers'), deviceKey) as { id: string; name: string; card?: unknown }[];
          const reader = readers.find((r) => r.name === rig.readerNames[0]);
          assert.ok(reader?.card, `the vpcd reader with its card: ${JSON.stringify(readers)}`);
          const bio = verifiedData(await c.call('GET', beidPath(reader.id, 'biometric')), deviceKey) as { nationalNumber?: string; name?: string };
          const holder = rig.cards[0]?.holder;
          assert.ok(holder);
          assert.equal(bio.nationalNumber, holder.nationalNumber);
          assert.equal(bio.name, holder.surname);
        } finally {
          c.close();
        }
        // It ran as the user, with the user's own data dir.
        assert.equal(processesOf(uid).includes(child.pid ?? -1), true);
        assert.ok(await exists(`/home/${user}/.local/share/t1c`), 'per-user data under ~/.local/share/t1c');
      } finally {
        await stop(child);
      }
      assert.deepEqual(processesOf(uid), [], 'the API and its sandbox are gone');
    });

    it('the menu entry\'s command runs the installed t1c doctor as the user, prints its report and waits for Enter', async () => {
      const r = await root.run(asUser(['sh', '-c', 'echo | /usr/lib/t1c/check-connector --port 1']));
      assert.equal(r.code, 1, 'nothing listens on port 1: a failed check');
      assert.match(r.stdout, /^t1c doctor: https:\/\/127\.0\.0\.1:1 /m);
      assert.match(r.stdout, /^✖ Connector +nothing answers on 127\.0\.0\.1:1 \(https\): connection refused$/m);
      assert.match(r.stdout, /Press Enter to close this window\. $/);
    });

    it('without a systemd user manager the autostart command runs the API itself', async () => {
      const r = await root.run(asUser(['/usr/lib/t1c/autostart', '--help']));
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /Usage: t1c api/);
    });

    const freePort = async (): Promise<number> => {
      const server = createServer();
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const address = server.address();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      assert.ok(address && typeof address === 'object');
      return address.port;
    };
    const writeInRoot = (path: string, text: string, asUid?: number): Promise<string> =>
      inRoot([...(asUid === undefined ? [] : ['setpriv', `--reuid=${asUid}`, `--regid=${asUid}`, '--init-groups', '--']), 'sh', '-c', 'mkdir -p "$(dirname "$1")" && printf %s "$2" > "$1"', 'sh', path, text]);
    /** `t1c api` as the user without --port: the port it announces. */
    const listensOn = async (): Promise<number> => {
      const child = root.spawn(asUser(['/usr/bin/t1c', 'api', '--http', '--no-jwt', '--log-level', 'warn']));
      try {
        return Number(new URL(await apiUrl(child, { text: '' })).port);
      } finally {
        await stop(child);
      }
    };

    it("the administrator's /etc/t1c/connector.json (a conffile) applies to every user below the user's own config; a bad value stops t1c api naming the file, key and value", async () => {
      assert.match(await inRoot(['dpkg-query', '-W', '-f', '${Conffiles}', 't1c']), /\/etc\/t1c\/connector\.json [0-9a-f]{32}/);
      assert.equal(await inRoot(['cat', SYSTEM_CONFIG]), '{}\n', 'shipped empty: nothing set');

      await writeInRoot(SYSTEM_CONFIG, '{"port": 99999}');
      const bad = await root.run(asUser(['/usr/bin/t1c', 'api', '--http', '--no-jwt']));
      assert.notEqual(bad.code, 0);
      assert.match(bad.stderr, /system config file \/etc\/t1c\/connector\.json: port: Too big.*\(got 99999\)/);
      assert.doesNotMatch(bad.stderr, /listening/);
      await writeInRoot(SYSTEM_CONFIG, '{"port": 51983, "transport": "local"}');
      assert.match((await root.run(asUser(['/usr/bin/t1c', 'api']))).stderr, /transport: .*\(got "local"\)/);
      await writeInRoot(SYSTEM_CONFIG, '{"port": 51983,');
      assert.match((await root.run(asUser(['/usr/bin/t1c', 'api']))).stderr, /system config file \/etc\/t1c\/connector\.json: not JSON/);

      const adminPort = await freePort();
      await writeInRoot(SYSTEM_CONFIG, JSON.stringify({ port: adminPort, logLevel: 'warn' }));
      assert.equal(await listensOn(), adminPort, "the administrator's port");
      const userPort = await freePort();
      const userConfig = `/home/${user}/.config/t1c/config.json`;
      await writeInRoot(userConfig, JSON.stringify({ port: userPort }), uid);
      assert.equal(await listensOn(), userPort, "the user's own config wins");
      await inRoot(['rm', userConfig]);
    });

    it('a rebuilt package with a higher version installs over it: the executable is replaced, the edited conffile and the user data kept, the unit still enabled', async () => {
      const before = {
        inode: (await inRoot(['stat', '-c', '%i', '/usr/lib/t1c/t1c'])).trim(),
        config: await inRoot(['cat', SYSTEM_CONFIG]),
        deviceKey: await inRoot(['cat', `/home/${user}/.local/share/t1c/device-key.pem`]),
      };
      assert.notEqual(before.config, '{}\n', 'the conffile carries an edit from the test before');
      const r = await root.run(['dpkg', '-i', nextDeb]);
      assert.equal(r.code, 0, `${r.stdout}${r.stderr}`);
      assert.doesNotMatch(`${r.stdout}${r.stderr}`, /Configuration file .* modified/, 'no question about an unchanged conffile');
      assert.match(await inRoot(['dpkg-query', '-W', '-f', '${Status} ${Version}', 't1c']), new RegExp(`install ok installed ${NEXT_VERSION.replaceAll('.', '\\.')}`));
      assert.notEqual((await inRoot(['stat', '-c', '%i', '/usr/lib/t1c/t1c'])).trim(), before.inode, 'a new file in place of the old one');
      assert.equal((await root.run(['dpkg', '--verify', 't1c'])).stdout.split('\n').filter((l) => l.length > 0 && !l.endsWith(SYSTEM_CONFIG)).join('\n'), '',
        'every file is the new package\'s (only the edited conffile differs)');
      assert.equal(await inRoot(['cat', SYSTEM_CONFIG]), before.config, "the administrator's edit is kept");
      assert.equal(await inRoot(['cat', `/home/${user}/.local/share/t1c/device-key.pem`]), before.deviceKey, "the user's device key is kept");
      assert.equal((await inRoot(['readlink', ENABLE_LINK])).trim(), '/usr/lib/systemd/user/t1c.service', 'still enabled for every user');
      assert.equal(await exists(MASK_LINK), false, 'not masked');
      assert.equal((await inRoot(['/usr/bin/t1c', '--version'])).trim(), ROOT_VERSION);
    });

    it('dpkg -r removes the program and masks the dangling enable link; dpkg --purge removes everything it added', async () => {
      await inRoot(['dpkg', '-r', 't1c']);
      assert.equal(await exists('/usr/lib/t1c/t1c'), false);
      assert.equal(await exists('/usr/lib/systemd/user/t1c.service'), false);
      assert.equal((await inRoot(['readlink', MASK_LINK])).trim(), '/dev/null', 'masked while the unit file is gone');
      assert.ok(await exists('/etc/xdg/autostart/t1c.desktop'), 'a conffile stays until purge (TryExec keeps it inert)');

      await inRoot(['dpkg', '--purge', 't1c']);
      assert.notEqual((await root.run(['dpkg-query', '-W', 't1c'])).code, 0, 'dpkg no longer knows t1c');
      for (const path of ['/usr/lib/t1c', '/usr/bin/t1c', '/usr/lib/systemd/user/t1c.service', '/usr/lib/systemd/user-preset/80-t1c.preset',
        '/etc/xdg/autostart/t1c.desktop', '/etc/t1c', '/usr/share/applications/t1c-doctor.desktop', '/usr/lib/t1c/check-connector', ENABLE_LINK, MASK_LINK, `${HELPER_STATE}/t1c.service.dsh-also`, `${HELPER_STATE}/default.target.wants/t1c.service`, '/usr/share/doc/t1c', '/usr/share/man/man1/t1c.1.gz']) {
        assert.equal(await exists(path), false, `${path} is left behind`);
      }
      // The lower layer is the live disk, which other programs may change meanwhile: a
      // difference counts only where the root now disagrees with the real disk.
      const filesAfter = await snapshot();
      const onDisk = (line: string): boolean => existsSync(line.slice(2)) || isLink(line.slice(2));
      const appeared = [...filesAfter].filter((l) => !filesBefore.has(l) && !onDisk(l));
      const vanished = [...filesBefore].filter((l) => !filesAfter.has(l) && onDisk(l));
      assert.deepEqual({ appeared, vanished }, { appeared: [], vanished: [] }, `${SNAPSHOT_DIRS.join(', ')} differ from before the install`);

      // Whatever else the root wrote since before the install: only dpkg's books, logs, the
      // user's own data and directories that exist on the real disk (copied up by the overlay).
      const known = new Set(upperBefore.map((e) => e.path));
      const added = (await root.upperEntries()).filter((e) => !known.has(e.path));
      const stray = added.filter((e) => !ALLOWED_CHANGES.some((re) => re.test(e.path)) && !(e.type === 'd' && existsSync(`/${e.path}`)));
      assert.deepEqual(stray, [], 'paths the package left behind');
      assert.ok(added.some((e) => e.path.startsWith(`home/${user}/.local/share/t1c`)), "the user's data stays theirs");
    });
  });
});
