// The macOS package, checked on Linux with tools that are not ours: tar lists and unpacks it,
// libplist's plistutil parses the LaunchAgent, bash -n and shellcheck read the scripts; the
// Mach-O header and load commands are read byte by byte. Then install.sh and uninstall.sh run
// against a throw-away HOME with launchctl and codesign replaced by shims that record argv.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse, parseBinary, type PlistValue } from 'plist';
import { CPU_TYPE_ARM64, CPU_TYPE_X86_64, MH_EXECUTE, MH_MAGIC_64, readMachO } from './helpers/macho.js';
import { ensureExecutables } from './helpers/dist-exe.js';
import { ensureMacosPackages, LABEL, ROOT, VERSION } from './helpers/macos-package.js';

const SEA_FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2:1';

function sh(command: string, args: readonly string[], options: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 16 * 1024 * 1024, ...options });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Parses a plist with libplist (XML → binary) and with the `plist` package; both must agree. */
function readPlist(path: string, scratch: string): Record<string, PlistValue> {
  const binary = join(scratch, `${Date.now()}-${Math.random().toString(16).slice(2)}.bplist`);
  const r = sh('plistutil', ['-i', path, '-o', binary]);
  // plistutil 2.2 exits 0 even when it fails; it says ERROR and writes nothing.
  assert.equal(r.code, 0, r.stderr);
  assert.doesNotMatch(r.stdout + r.stderr, /ERROR/);
  assert.ok(existsSync(binary), `plistutil could not parse ${path}`);
  const fromLibplist = parseBinary(readFileSync(binary));
  const fromXml = parse(readFileSync(path, 'utf8'));
  assert.deepEqual(fromXml, fromLibplist);
  assert.ok(fromXml !== null && typeof fromXml === 'object' && !Array.isArray(fromXml) && !(fromXml instanceof Date) && !Buffer.isBuffer(fromXml));
  return fromXml as Record<string, PlistValue>;
}

const sha256 = (path: string): string => createHash('sha256').update(readFileSync(path)).digest('hex');

for (const arch of ['arm64', 'x64'] as const) {
  describe(`macOS package darwin-${arch}`, () => {
    const top = `t1c-${VERSION}-darwin-${arch}`;
    let pkg: string;
    let scratch: string;

    before(async () => {
      pkg = (await ensureMacosPackages())[arch];
      scratch = mkdtempSync(join(tmpdir(), `t1c-dist-macos-${arch}-`));
      const r = sh('tar', ['-xf', pkg, '-C', scratch]);
      assert.equal(r.code, 0, r.stderr);
    });
    after(() => rmSync(scratch, { recursive: true, force: true }));

    it('holds exactly the program, the LaunchAgent template and the two scripts, in one directory, owned by root, with the right modes', () => {
      const r = sh('tar', ['-tvf', pkg, '--numeric-owner']);
      assert.equal(r.code, 0, r.stderr);
      const entries = r.stdout.trim().split('\n').map((line) => {
        const [mode = '', owner = '', , , , path = ''] = line.split(/\s+/);
        return { mode, owner, path };
      }).sort((a, b) => a.path.localeCompare(b.path));
      assert.deepEqual(entries, [
        { mode: 'drwxr-xr-x', owner: '0/0', path: `${top}/` },
        { mode: '-rwxr-xr-x', owner: '0/0', path: `${top}/install.sh` },
        { mode: '-rw-r--r--', owner: '0/0', path: `${top}/${LABEL}.plist` },
        { mode: '-rwxr-xr-x', owner: '0/0', path: `${top}/t1c` },
        { mode: '-rwxr-xr-x', owner: '0/0', path: `${top}/uninstall.sh` },
      ]);
    });

    it('carries a LaunchAgent template that is a valid plist: RunAtLoad, restart on failure, logs, `t1c api`', () => {
      const agent = readPlist(join(scratch, top, `${LABEL}.plist`), scratch);
      assert.deepEqual(agent, {
        Label: LABEL,
        ProgramArguments: ['@T1C_BIN@', 'api', '--log-file'],
        RunAtLoad: true,
        KeepAlive: { SuccessfulExit: false },
        ThrottleInterval: 10,
        LimitLoadToSessionType: 'Aqua',
        StandardOutPath: '@LOG_DIR@/stderr.log',
        StandardErrorPath: '@LOG_DIR@/stderr.log',
      });
    });

    it(`holds a 64-bit Mach-O executable for ${arch} with the Node SEA blob injected and its fuse set`, () => {
      const program = join(scratch, top, 't1c');
      const macho = readMachO(program);
      assert.equal(macho.magic, MH_MAGIC_64, `magic 0x${macho.magic.toString(16)}`);
      assert.equal(macho.cputype, arch === 'arm64' ? CPU_TYPE_ARM64 : CPU_TYPE_X86_64, `cputype 0x${macho.cputype.toString(16)}`);
      assert.equal(macho.filetype, MH_EXECUTE);
      const sea = macho.segments.find((s) => s.name === 'NODE_SEA');
      assert.ok(sea, `no NODE_SEA segment among ${macho.segments.map((s) => s.name).join(', ')}`);
      const blob = sea.sections.find((s) => s.name === '__NODE_SEA_BLOB');
      assert.ok(blob, 'no __NODE_SEA_BLOB section in NODE_SEA');
      assert.ok(blob.size > 1000n, `SEA blob of ${blob.size} bytes`);
      assert.ok(BigInt(blob.offset) + blob.size <= BigInt(statSync(program).size), 'SEA blob lies past the end of the file');
      assert.ok(readFileSync(program).includes(SEA_FUSE), 'the SEA fuse is not set: Node would start as plain node');
    });

    it('ships install.sh and uninstall.sh that pass bash -n and shellcheck', () => {
      for (const script of ['install.sh', 'uninstall.sh']) {
        const path = join(scratch, top, script);
        const syntax = sh('bash', ['-n', path]);
        assert.equal(syntax.code, 0, `${script}: ${syntax.stderr}`);
        const lint = sh('shellcheck', ['--shell=bash', '--severity=style', path]);
        assert.equal(lint.code, 0, `${script}:\n${lint.stdout}${lint.stderr}`);
      }
    });
  });
}

describe('macOS release signing entitlements', () => {
  it('are a valid plist granting V8 its JIT memory and the extracted koffi.node its load', () => {
    const scratch = mkdtempSync(join(tmpdir(), 't1c-dist-macos-ent-'));
    try {
      assert.deepEqual(readPlist(join(ROOT, 'packaging', 'macos', 'entitlements.plist'), scratch), {
        'com.apple.security.cs.allow-jit': true,
        'com.apple.security.cs.allow-unsigned-executable-memory': true,
        'com.apple.security.cs.disable-library-validation': true,
      });
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  });
});

describe('macOS install.sh / uninstall.sh in a throw-away HOME (launchctl and codesign shimmed)', () => {
  const top = `t1c-${VERSION}-darwin-arm64`;
  let scratch: string;
  let unpacked: string;
  let home: string;
  let shims: string;
  let calls: string;
  let prefix: string;
  let agentPlist: string;
  let dataDir: string;
  let logsDir: string;
  const uid = process.getuid?.() ?? 0;

  const env = (extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => {
    const clean: NodeJS.ProcessEnv = { PATH: `${shims}:/usr/bin:/bin`, HOME: home, T1C_SHIM_LOG: calls, LANG: 'C', ...extra };
    return clean;
  };
  const recorded = (): string[][] => (existsSync(calls) ? readFileSync(calls, 'utf8').split('\n').filter(Boolean).map((l) => l.split('\t')) : []);
  const shim = (name: string, body = ''): void => {
    const path = join(shims, name);
    writeFileSync(path, `#!/bin/bash\n{ printf '%s' "$(basename "$0")"; for a in "$@"; do printf '\\t%s' "$a"; done; printf '\\n'; } >> "$T1C_SHIM_LOG"\n${body}exit 0\n`);
    chmodSync(path, 0o755);
  };
  const listTree = (dir: string): string[] => (existsSync(dir) ? readdirSync(dir, { recursive: true, encoding: 'utf8' }).sort() : []);

  before(async () => {
    const pkg = (await ensureMacosPackages()).arm64;
    scratch = mkdtempSync(join(tmpdir(), 't1c-dist-macos-install-'));
    unpacked = join(scratch, 'unpacked');
    mkdirSync(unpacked);
    assert.equal(sh('tar', ['-xf', pkg, '-C', unpacked]).code, 0);
    // Characters that must survive the XML and sed escaping of the plist's paths.
    home = join(scratch, 'home of a & b <x>');
    shims = join(scratch, 'shims');
    calls = join(scratch, 'calls.tsv');
    mkdirSync(home);
    mkdirSync(shims);
    shim('launchctl');
    // Linux by default; Darwin on arm64 when a test asks (not recorded).
    writeFileSync(join(shims, 'uname'), '#!/bin/bash\nif [ -z "${T1C_FAKE_DARWIN:-}" ]; then exec /usr/bin/uname "$@"; fi\ncase "$1" in -s) echo Darwin ;; -m) echo arm64 ;; *) echo Darwin ;; esac\n');
    chmodSync(join(shims, 'uname'), 0o755);
    // An unsigned build: --verify fails, so install.sh must sign ad hoc.
    shim('codesign', 'if [ "$1" = --verify ]; then exit 1; fi\n');
    prefix = join(home, 'Applications', 'T1C');
    agentPlist = join(home, 'Library', 'LaunchAgents', `${LABEL}.plist`);
    dataDir = join(home, 'Library', 'Application Support', 't1c');
    logsDir = join(home, 'Library', 'Logs', 't1c');
  });
  after(() => rmSync(scratch, { recursive: true, force: true }));

  /** The darwin program cannot run here: after install, a shim stands in for it to record `t1c cert uninstall`. */
  const replaceInstalledProgramWithShim = (): void => {
    writeFileSync(join(prefix, 't1c'), '#!/bin/bash\n{ printf t1c; for a in "$@"; do printf \'\\t%s\' "$a"; done; printf \'\\n\'; } >> "$T1C_SHIM_LOG"\n');
    chmodSync(join(prefix, 't1c'), 0o755);
  };
  const makeUserData = (): void => {
    mkdirSync(join(dataDir, 'tls'), { recursive: true });
    writeFileSync(join(dataDir, 'tls', 'ca.pem'), 'CA');
    writeFileSync(join(dataDir, 'device-key.pem'), 'KEY');
    writeFileSync(join(logsDir, 'connector.log'), 'log line\n');
  };

  it('refuses bad options, a relative prefix and sudo, and changes nothing', () => {
    for (const [args, extra, message] of [
      [['--bogus'], {}, /unknown option: --bogus/],
      [['--prefix'], {}, /--prefix needs a directory/],
      [['--prefix', 'relative/dir'], {}, /--prefix must be an absolute path/],
      [['--prefix', join(unpacked, top)], {}, /the unpacked package itself/],
      [[], { SUDO_USER: 'someone' }, /without sudo/],
    ] as const) {
      const r = sh('bash', [join(unpacked, top, 'install.sh'), ...args], { env: env(extra) });
      assert.notEqual(r.code, 0, `install.sh ${args.join(' ')} succeeded`);
      assert.match(r.stderr, message);
      assert.deepEqual(listTree(home), [], `install.sh ${args.join(' ')} changed HOME`);
      assert.deepEqual(recorded(), []);
    }
  });

  it('installs the program, signs it ad hoc, writes the LaunchAgent with absolute paths and bootstraps it; asks before trusting the CA', () => {
    const r = sh('bash', [join(unpacked, top, 'install.sh')], { env: env() });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(sha256(join(prefix, 't1c')), sha256(join(unpacked, top, 't1c')));
    assert.equal(statSync(join(prefix, 't1c')).mode & 0o777, 0o755);
    assert.ok(existsSync(join(prefix, 'uninstall.sh')));
    assert.ok(statSync(logsDir).isDirectory());
    assert.equal(statSync(agentPlist).mode & 0o777, 0o644);

    const agent = readPlist(agentPlist, scratch);
    assert.equal(agent.Label, LABEL);
    // The connector writes ~/Library/Logs/t1c/connector.log itself (size-capped); launchd only what it prints besides.
    assert.deepEqual(agent.ProgramArguments, [join(prefix, 't1c'), 'api', '--log-file']);
    assert.equal(agent.StandardOutPath, join(logsDir, 'stderr.log'));
    assert.equal(agent.StandardErrorPath, join(logsDir, 'stderr.log'));
    assert.equal(agent.RunAtLoad, true);

    assert.deepEqual(recorded(), [
      ['codesign', '--verify', '--strict', join(prefix, '.staging', 't1c')],
      ['codesign', '--sign', '-', '--force', join(prefix, '.staging', 't1c')],
      ['launchctl', 'bootout', `gui/${uid}/${LABEL}`],
      ['launchctl', 'bootstrap', `gui/${uid}`, agentPlist],
    ]);
    assert.deepEqual(readdirSync(prefix).sort(), ['.t1c-open-install', `${LABEL}.plist`, 't1c', 'uninstall.sh']);
    // No terminal to ask on: the keychain is left alone and the user told how to trust.
    assert.match(r.stdout, /local CA not trusted; to trust it later run: ".*\/t1c" cert install/);
    assert.ok(r.stdout.includes(`check the card connector (what stops web pages from reaching it, and the fix): "${join(prefix, 't1c')}" doctor`));
  });

  it('does not install a program that cannot start on this Mac, and leaves the earlier install as it was', () => {
    // uname says Darwin, so install.sh tries `t1c --version`; a Mach-O cannot run on Linux,
    // as an arm64 build cannot on an Intel Mac.
    const before = { ino: statSync(join(prefix, 't1c')).ino, plist: readFileSync(agentPlist, 'utf8') };
    writeFileSync(calls, '');
    const r = sh('bash', [join(unpacked, top, 'install.sh')], { env: env({ T1C_FAKE_DARWIN: '1' }) });
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /t1c does not start on this Mac \(arm64, exit \d+.*darwin-arm64: Apple silicon, darwin-x64: Intel/s);
    assert.equal(statSync(join(prefix, 't1c')).ino, before.ino);
    assert.equal(readFileSync(agentPlist, 'utf8'), before.plist);
    assert.equal(existsSync(join(prefix, '.staging')), false);
    assert.deepEqual(recorded().map((c) => c[0]), ['codesign', 'codesign'], 'the running agent was touched');
  });

  it('uninstall boots the agent out, removes the CA from the trust store, the plist and the program, and keeps the user data', () => {
    makeUserData();
    replaceInstalledProgramWithShim();
    writeFileSync(calls, '');
    const r = sh('bash', [join(prefix, 'uninstall.sh')], { env: env() });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(recorded(), [
      ['launchctl', 'bootout', `gui/${uid}/${LABEL}`],
      ['t1c', 'cert', 'uninstall', '--data-dir', dataDir],
    ]);
    assert.equal(existsSync(agentPlist), false);
    assert.equal(existsSync(prefix), false);
    assert.equal(readFileSync(join(dataDir, 'device-key.pem'), 'utf8'), 'KEY');
    assert.equal(readFileSync(join(dataDir, 'tls', 'ca.pem'), 'utf8'), 'CA');
    assert.equal(readFileSync(join(logsDir, 'connector.log'), 'utf8'), 'log line\n');
    assert.match(r.stdout, /kept your data/);
  });

  it('uninstall --purge also deletes the data and the logs, leaving only empty Library folders', () => {
    writeFileSync(calls, '');
    assert.equal(sh('bash', [join(unpacked, top, 'install.sh'), '--no-start', '--no-trust'], { env: env() }).code, 0);
    replaceInstalledProgramWithShim();
    const r = sh('bash', [join(prefix, 'uninstall.sh'), '--purge'], { env: env() });
    assert.equal(r.code, 0, r.stderr);
    assert.ok(recorded().some((c) => c.join(' ') === `t1c cert uninstall --data-dir ${dataDir}`));
    assert.deepEqual(listTree(home), ['Applications', 'Library', 'Library/Application Support', 'Library/LaunchAgents', 'Library/Logs']);
  });

  it('--ds-url, --port, --allowed-origins are checked by the program being installed (here the same build for Linux) and written to the user\'s config; a bad value installs nothing', async () => {
    const real = join(scratch, 'real', top);
    mkdirSync(real, { recursive: true });
    for (const f of ['install.sh', 'uninstall.sh', `${LABEL}.plist`]) writeFileSync(join(real, f), readFileSync(join(unpacked, top, f)));
    const { 'linux-x64': linux } = await ensureExecutables(['linux-x64']);
    assert.ok(linux);
    writeFileSync(join(real, 't1c'), readFileSync(linux));
    chmodSync(join(real, 't1c'), 0o755);
    const configFile = join(dataDir, 'config.json');
    const before = listTree(home);

    for (const [args, message] of [
      [['--port', '99999'], /port: Too big.*\(got 99999\)/],
      [['--ds-url', 'http://ds.example.org'], /dsUrl: plain http:\/\/ is refused for ds\.example\.org/],
      [['--allowed-origins', 'https://ok.example, not-an-origin'], /"not-an-origin" is not an origin/],
      [['--port'], /--port needs a value/],
    ] as const) {
      writeFileSync(calls, '');
      const r = sh('bash', [join(real, 'install.sh'), '--no-start', '--no-trust', ...args], { env: env() });
      assert.notEqual(r.code, 0, `install.sh ${args.join(' ')} succeeded`);
      assert.match(r.stderr, message);
      assert.deepEqual(listTree(home), before, `install.sh ${args.join(' ')} changed HOME`);
      assert.deepEqual(recorded().filter((c) => c[0] === 'launchctl'), [], 'the running agent was left alone');
    }

    const r = sh('bash', [join(real, 'install.sh'), '--no-start', '--no-trust', '--ds-url', 'https://ds.example.org/t1c', '--port', '52011',
      '--allowed-origins', 'https://a.example, https://*.b.example'], { env: env() });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(readFileSync(configFile, 'utf8')), {
      port: 52011, dsUrl: 'https://ds.example.org/t1c', allowOrigins: ['https://a.example', 'https://*.b.example'],
    });
    assert.equal(statSync(configFile).mode & 0o777, 0o600);
    // A second install changes what it is given and keeps the rest.
    assert.equal(sh('bash', [join(real, 'install.sh'), '--no-start', '--no-trust', '--port', '52012'], { env: env() }).code, 0);
    assert.equal((JSON.parse(readFileSync(configFile, 'utf8')) as { port: number; dsUrl: string }).port, 52012);
    assert.equal((JSON.parse(readFileSync(configFile, 'utf8')) as { dsUrl: string }).dsUrl, 'https://ds.example.org/t1c');
    replaceInstalledProgramWithShim();
    assert.equal(sh('bash', [join(prefix, 'uninstall.sh'), '--purge'], { env: env() }).code, 0);
    assert.equal(existsSync(configFile), false, '--purge removes the settings with the data');
  });

  it('uninstall leaves a directory it did not make alone, and refuses bad options', () => {
    const foreign = join(scratch, 'foreign');
    mkdirSync(foreign);
    writeFileSync(join(foreign, 't1c'), 'not ours');
    const r = sh('bash', [join(unpacked, top, 'uninstall.sh'), '--prefix', foreign], { env: env() });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /no installation found/);
    assert.equal(readFileSync(join(foreign, 't1c'), 'utf8'), 'not ours');
    const bad = sh('bash', [join(unpacked, top, 'uninstall.sh'), '--purge-everything'], { env: env() });
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /unknown option/);
  });

  it('on a Mac whose program starts: tries it, then trusts the local CA only on --trust or a yes on the terminal', () => {
    // The package's files around a program that runs here: a shim answering --version.
    const fake = join(scratch, 'fake', top);
    mkdirSync(fake, { recursive: true });
    for (const f of ['install.sh', 'uninstall.sh', `${LABEL}.plist`]) writeFileSync(join(fake, f), readFileSync(join(unpacked, top, f)));
    writeFileSync(join(fake, 't1c'), '#!/bin/bash\n{ printf t1c; for a in "$@"; do printf \'\\t%s\' "$a"; done; printf \'\\n\'; } >> "$T1C_SHIM_LOG"\n[ "$1" = --version ] && echo 0.1.0\nexit 0\n');
    chmodSync(join(fake, 't1c'), 0o755);
    const mac = env({ T1C_FAKE_DARWIN: '1' });
    const staged = join(prefix, '.staging', 't1c');

    writeFileSync(calls, '');
    const flagged = sh('bash', [join(fake, 'install.sh'), '--trust', '--no-start'], { env: mac });
    assert.equal(flagged.code, 0, flagged.stderr);
    assert.match(flagged.stdout, /program: t1c 0\.1\.0/);
    assert.deepEqual(recorded(), [
      ['codesign', '--verify', '--strict', staged],
      ['codesign', '--sign', '-', '--force', staged],
      ['t1c', '--version'],
      ['launchctl', 'bootout', `gui/${uid}/${LABEL}`],
      ['t1c', 'cert', 'install'],
    ]);

    const onTerminal = (answer: string): { code: number | null; stdout: string } => {
      writeFileSync(calls, '');
      const r = spawnSync('script', ['-qec', `bash '${join(fake, 'install.sh')}' --no-start`, '/dev/null'], { env: mac, input: `${answer}\n`, encoding: 'utf8' });
      return { code: r.status, stdout: r.stdout };
    };
    const yes = onTerminal('y');
    assert.equal(yes.code, 0, yes.stdout);
    assert.match(yes.stdout, /Trust the connector's local CA in your login keychain.*\[y\/N\]/);
    assert.deepEqual(recorded().filter((c) => c[0] === 't1c' && c[1] === 'cert'), [['t1c', 'cert', 'install']]);
    const no = onTerminal('n');
    assert.equal(no.code, 0, no.stdout);
    assert.match(no.stdout, /\[y\/N\]/);
    assert.match(no.stdout, /local CA not trusted/);
    assert.deepEqual(recorded().filter((c) => c[0] === 't1c' && c[1] === 'cert'), []);

    assert.equal(sh('bash', [join(prefix, 'uninstall.sh'), '--purge'], { env: mac }).code, 0);
    assert.equal(existsSync(agentPlist), false);
  });
});
