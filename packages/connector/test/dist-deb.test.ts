import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { existsSync, lstatSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { beidPath } from './api-helpers/fixture.js';
import { client, errorCode, verifiedData } from './api-helpers/http.js';
import { clientAsUser } from './api-helpers/http-as-user.js';
import { curlAsUser } from './helpers/curl-as-user.js';
import { startPcscRig, type PcscRig } from './api-helpers/rig.js';
import { ensureDeb, packageChecks, sh } from './helpers/deb-package.js';
import { buildDeb } from '../../../packaging/installers/deb.mjs';
import { executableOf, ROOT, ROOT_VERSION } from './helpers/dist-exe.js';
import { processesOf, ThrowawayRoot, type UpperEntry } from './helpers/throwaway-root.js';
import { freePort } from './helpers/free-port.js';

const ENABLE_LINK = '/etc/systemd/user/default.target.wants/t1c.service';
const MASK_LINK = '/etc/systemd/user/t1c.service';
const HELPER_STATE = '/var/lib/systemd/deb-systemd-user-helper-enabled';
const SYSTEM_CONFIG = '/etc/t1c/connector.json';
const REGISTRY_UNIT = '/usr/lib/systemd/system/t1c-registry.service';
const REGISTRY_ENABLE_LINK = '/etc/systemd/system/multi-user.target.wants/t1c-registry.service';
const REGISTRY_RUNTIME_DIR = '/run/t1c';
/** Nobody: the Registry needs no privilege (the unit runs it as a DynamicUser). */
const UNPRIVILEGED = 65534;
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
const ALLOWED_CHANGES = [/^usr\/share\/applications\/mimeinfo\.cache$/, /^var\/lib\/dpkg\//, /^var\/log\//, /^var\/cache\/(debconf|ldconfig|man)\//, /^home\/t1c-deb-test2?(\/|$)/, /^tmp\//, /^etc\/(passwd|group|shadow|gshadow|subuid|subgid)-?$/];
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
function freeUid(after = 60_999): number {
  const taken = new Set(readFileSync('/etc/passwd', 'utf8').split('\n').map((l) => Number(l.split(':')[2])));
  for (let uid = after + 1; uid < 65_000; uid++) if (!taken.has(uid) && processesOf(uid).length === 0) return uid;
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

/** Whether the child's output (collected in `seen` from its start) shows `pattern` before it exits. */
function outputMatch(child: ChildProcess, pattern: RegExp, stream: 'stdout' | 'stderr', seen: { text: string } = { text: '' }): Promise<boolean> {
  return new Promise((resolve) => {
    if (pattern.test(seen.text)) {
      resolve(true);
      return;
    }
    let text = seen.text;
    const onData = (d: Buffer): void => {
      text += d.toString();
      if (pattern.test(text)) {
        child[stream]?.off('data', onData);
        resolve(true);
      }
    };
    child[stream]?.on('data', onData);
    child.once('exit', () => resolve(false));
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
    let uid2: number;
    const user2 = 't1c-deb-test2';
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
      // A second user for the Registry's shared-host test (made now, so snapshots include it).
      uid2 = freeUid(uid);
      await inRoot(['useradd', '--uid', String(uid2), '--user-group', '--create-home', '--shell', '/bin/sh', user2]);
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
      for (const pid of [...processesOf(uid), ...(uid2 === undefined ? [] : processesOf(uid2))]) process.kill(pid, 'SIGKILL');
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

    it('the Registry\'s system unit is installed, not enabled, and systemd-analyze verifies it', async () => {
      assert.ok(await exists(REGISTRY_UNIT));
      assert.equal(await exists(REGISTRY_ENABLE_LINK), false, 'the package never enables the Registry');
      const unit = await inRoot(['cat', REGISTRY_UNIT]);
      assert.match(unit, /^ExecStart=\/usr\/bin\/t1c registry$/m);
      assert.match(unit, /^DynamicUser=yes$/m);
      assert.match(unit, /^RuntimeDirectory=t1c$/m);
      const man = (await root.run(['test', '-x', '/usr/bin/man'])).code === 0;
      const r = await root.run(['systemd-analyze', 'verify', ...(man ? [] : ['--man=no']), REGISTRY_UNIT]);
      assert.equal(r.code, 0, `${r.stdout}${r.stderr}`);
      assert.equal(`${r.stdout}${r.stderr}`.trim(), '', 'no complaints');
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

    it('shared host: with "registry": true in /etc/t1c/connector.json, the installed Registry (unprivileged) and two users\' installed t1c api as agents; each user reads their own virtual card on port 51983', async () => {
      assert.equal(await exists(REGISTRY_RUNTIME_DIR), false, `${REGISTRY_RUNTIME_DIR} exists before the test`);
      const unit = await inRoot(['cat', REGISTRY_UNIT]);
      // What `systemctl enable` does; purge must take it away again.
      await inRoot(['systemctl', 'enable', 't1c-registry.service']);
      // systemctl links through /lib on merged-/usr systems.
      assert.match((await inRoot(['readlink', REGISTRY_ENABLE_LINK])).trim(), /^(\/usr)?\/lib\/systemd\/system\/t1c-registry\.service$/);
      const adminConfig = { registry: true, transport: 'http', jwt: false, pcsc: false, virtualCards: ['1.8'], logLevel: 'warn' };
      await writeInRoot(SYSTEM_CONFIG, JSON.stringify(adminConfig));
      const holders = { [user]: { uid, surname: 'Alpha' }, [user2]: { uid: uid2, surname: 'Bravo' } };
      for (const [name, h] of Object.entries(holders)) {
        const data = `/home/${name}/.config/t1c/holder.json`;
        await writeInRoot(data, JSON.stringify({ surname: h.surname, firstNames: `${h.surname} Test`, birthDate: '03 MEI 2001', gender: 'F', nationalNumber: '01050312366', address: { streetAndNumber: 'Kerkstraat 1', zipCode: '2000', municipality: 'Antwerpen' } }), h.uid);
        // The user's own layer sits over the administrator's: their own card data.
        await writeInRoot(`/home/${name}/.config/t1c/config.json`, JSON.stringify({ virtualCardData: data }), h.uid);
      }
      // systemd's RuntimeDirectory=, done by hand: there is no systemd PID 1 here.
      await inRoot(['install', '-d', '-o', String(UNPRIVILEGED), '-g', String(UNPRIVILEGED), '-m', '0755', REGISTRY_RUNTIME_DIR]);
      // The unit's own Environment= lines, %t being /run for a system unit.
      const unitEnv = [...unit.matchAll(/^Environment=(.*)$/gm)].map((m) => (m[1] ?? '').replaceAll('%t', '/run'));
      assert.ok(unitEnv.includes(`T1C_DATA_DIR=${REGISTRY_RUNTIME_DIR}`), unitEnv.join(' '));
      const registry = root.spawn(['setpriv', `--reuid=${UNPRIVILEGED}`, `--regid=${UNPRIVILEGED}`, '--clear-groups', '--', 'env', ...unitEnv, '/usr/bin/t1c', 'registry']);
      const registryOut = { text: '' };
      registry.stdout?.on('data', (d: Buffer) => { registryOut.text += d.toString(); });
      const agents: ChildProcess[] = [];
      const asUid = (id: number, command: readonly string[]): string[] => ['setpriv', `--reuid=${id}`, `--regid=${id}`, '--init-groups', '--reset-env', '--', ...command];
      try {
        assert.equal(await outputMatch(registry, /t1c registry listening on http:\/\/127\.0\.0\.1:51983/, 'stderr'), true, 'the Registry owns 51983');
        for (const [name, h] of Object.entries(holders)) {
          const agent = root.spawn(asUid(h.uid, ['/usr/bin/t1c', 'api']));
          agents.push(agent);
          const agentPort = Number(new URL(await apiUrl(agent, { text: '' })).port);
          assert.notEqual(agentPort, 51983, 'an agent listens on a port the Registry gave it');
          assert.equal(await outputMatch(registry, new RegExp(`"username":"${name}","port":${agentPort},"msg":"agent ready"`), 'stdout', registryOut), true, registryOut.text);
        }
        for (const [name, h] of Object.entries(holders)) {
          const get = async (path: string): Promise<unknown> => {
            const r = await curlAsUser((argv) => root.run(asUid(h.uid, argv)), `http://127.0.0.1:51983${path}`);
            assert.deepEqual([r.code, r.status], [0, 200], `${name} ${path}: ${r.body}${r.stderr}`);
            return (JSON.parse(r.body) as { data: unknown }).data;
          };
          const readers = await get('/v3/readers') as { id: string }[];
          assert.equal(readers.length, 1, `${name} sees only their own virtual reader: ${JSON.stringify(readers)}`);
          const bio = await get(beidPath(readers[0]?.id ?? '', 'biometric')) as { name?: string };
          assert.equal(bio.name, h.surname, `${name} reads their own card`);
        }
      } finally {
        for (const agent of agents) await stop(agent);
        await stop(registry);
        await inRoot(['rm', '-rf', REGISTRY_RUNTIME_DIR]);
      }
      // The sandboxes are the agents' children, not ours: seen once (of four runs) a moment after their agent's exit.
      const remaining = (): number[] => [...processesOf(uid), ...processesOf(uid2), ...processesOf(UNPRIVILEGED).filter((pid) => pid === registry.pid)];
      for (let i = 0; i < 50 && remaining().length > 0; i++) await new Promise((resolve) => setTimeout(resolve, 100));
      const left = remaining();
      const what = (pid: number): string => { try { return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' '); } catch { return 'gone'; } };
      assert.deepEqual(left.map((pid) => `${pid} ${what(pid)}`), [], 'agents, sandboxes and the Registry are gone');
    });

    it('dpkg -r removes the program and masks the dangling enable link; dpkg --purge removes everything it added', async () => {
      await inRoot(['dpkg', '-r', 't1c']);
      assert.equal(await exists('/usr/lib/t1c/t1c'), false);
      assert.equal(await exists('/usr/lib/systemd/user/t1c.service'), false);
      assert.equal((await inRoot(['readlink', MASK_LINK])).trim(), '/dev/null', 'masked while the unit file is gone');
      assert.ok(await exists('/etc/xdg/autostart/t1c.desktop'), 'a conffile stays until purge (TryExec keeps it inert)');

      await inRoot(['dpkg', '--purge', 't1c']);
      assert.notEqual((await root.run(['dpkg-query', '-W', 't1c'])).code, 0, 'dpkg no longer knows t1c');
      for (const path of ['/usr/lib/t1c', '/usr/bin/t1c', '/usr/lib/systemd/user/t1c.service', '/usr/lib/systemd/user-preset/80-t1c.preset', REGISTRY_UNIT, REGISTRY_ENABLE_LINK,
        '/etc/systemd/system/t1c-registry.service', '/var/lib/systemd/deb-systemd-helper-enabled/t1c-registry.service.dsh-also', '/etc/xdg/autostart/t1c.desktop', '/etc/t1c', '/usr/share/applications/t1c-doctor.desktop', '/usr/lib/t1c/check-connector', ENABLE_LINK, MASK_LINK, `${HELPER_STATE}/t1c.service.dsh-also`, `${HELPER_STATE}/default.target.wants/t1c.service`, '/usr/share/doc/t1c', '/usr/share/man/man1/t1c.1.gz']) {
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
