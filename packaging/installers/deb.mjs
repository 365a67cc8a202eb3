// Debian packages for the Linux targets: dist/t1c-<version>-linux-<arch>.deb, built with
// `dpkg-deb --build --root-owner-group` from a staged tree. Layout and maintainer scripts:
// packaging/linux/ (see its README.md).
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';

const PACKAGE = 't1c';
/** Our target arch → Debian architecture. */
const DEBIAN_ARCH = { x64: 'amd64', arm64: 'arm64' };
const MAINTAINER = 't1c-open maintainers <maintainers@t1c-open.example>';
/** Run-time needs the executable's ELF header does not show: the PC/SC daemon and its client library (loaded with dlopen). */
const RUNTIME_DEPENDS = ['pcscd', 'libpcsclite1'];

/** Shared library → the Debian package that provides it and the host's symbols file that maps its version nodes. */
const LIBRARY_PACKAGES = [
  { match: /^(libc|libm|libdl|libpthread|librt|libresolv)\.so\.|^ld-linux/, pkg: 'libc6', symbols: 'libc6' },
  { match: /^libstdc\+\+\.so\.6$/, pkg: 'libstdc++6', symbols: 'libstdc++6' },
  { match: /^libgcc_s\.so\.1$/, pkg: 'libgcc-s1', symbols: 'libgcc-s1' },
];

/** Version node (GLIBC_2.28, GLIBCXX_3.4.21…) → minimal Debian version, from the build host's dpkg symbols files. */
function symbolVersions(pkg) {
  const dir = '/var/lib/dpkg/info';
  const file = readdirSync(dir).find((f) => f.startsWith(`${pkg}:`) && f.endsWith('.symbols')) ?? `${pkg}.symbols`;
  const map = new Map();
  if (!existsSync(join(dir, file))) return map;
  for (const line of readFileSync(join(dir, file), 'utf8').split('\n')) {
    const m = /^ (\S+)@(\S+) (\S+)/.exec(line);
    if (m && m[1] === m[2]) map.set(m[2], m[3]);
  }
  return map;
}

function newer(a, b) {
  try {
    execFileSync('dpkg', ['--compare-versions', a, 'gt', b], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * Depends from the ELF's dynamic section and version needs (readelf reads any architecture,
 * so the arm64 package gets its dependencies on an x64 host too, where dpkg-shlibdeps cannot).
 */
export function elfDepends(executable) {
  // -V also lists every dynamic symbol's version (megabytes for node); only the needs matter.
  const text = execFileSync('readelf', ['-d', '-V', '-W', executable], { encoding: 'utf8', maxBuffer: 1 << 28 });
  const needed = [...text.matchAll(/\(NEEDED\)\s+Shared library: \[([^\]]+)\]/g)].map((m) => m[1]);
  const versionsByLib = new Map();
  let current;
  const at = text.indexOf('Version needs section');
  const needs = at === -1 ? '' : text.slice(at);
  for (const line of needs.split('\n')) {
    const file = /File: (\S+)/.exec(line);
    if (file) current = file[1];
    const name = /Name: (\S+)\s+Flags/.exec(line);
    if (name && current) versionsByLib.set(current, [...(versionsByLib.get(current) ?? []), name[1]]);
  }
  const depends = new Map();
  for (const lib of needed) {
    const entry = LIBRARY_PACKAGES.find((e) => e.match.test(lib));
    if (!entry) throw new Error(`${executable} needs ${lib}: add its Debian package to LIBRARY_PACKAGES`);
    const known = symbolVersions(entry.symbols);
    let min = depends.get(entry.pkg) ?? '';
    for (const node of versionsByLib.get(lib) ?? []) {
      const glibc = /^GLIBC_([0-9.]+)$/.exec(node);
      const version = known.get(node) ?? glibc?.[1];
      if (version === undefined) throw new Error(`${executable} needs ${lib} version ${node}, unknown to this host's ${entry.symbols} symbols`);
      if (min === '' || newer(version, min)) min = version;
    }
    depends.set(entry.pkg, min);
  }
  return [...depends].map(([pkg, min]) => (min ? `${pkg} (>= ${min})` : pkg));
}

/** dpkg-gencontrol's rule: KiB per file rounded up, one per directory or link. */
function installedSizeKiB(dir) {
  let kib = 0;
  for (const name of readdirSync(dir)) {
    if (name === 'DEBIAN') continue;
    const path = join(dir, name);
    const st = lstatSync(path);
    if (st.isDirectory()) kib += 1 + installedSizeKiB(path);
    else if (st.isFile()) kib += Math.ceil(st.size / 1024);
    else kib += 1;
  }
  return kib;
}

function filesUnder(dir, base = dir) {
  return readdirSync(dir).sort().flatMap((name) => {
    const path = join(dir, name);
    const st = lstatSync(path);
    if (st.isDirectory()) return name === 'DEBIAN' && dir === base ? [] : filesUnder(path, base);
    return st.isFile() ? [relative(base, path)] : [];
  });
}

function put(stage, path, content, mode = 0o644) {
  const target = join(stage, path);
  mkdirSync(join(target, '..'), { recursive: true });
  writeFileSync(target, content);
  chmodSync(target, mode);
}

/** The changelog's date: SOURCE_DATE_EPOCH, else the last commit's, so rebuilds are identical. */
function buildDate(root) {
  const epoch = process.env.SOURCE_DATE_EPOCH;
  if (epoch && /^\d+$/.test(epoch)) return new Date(Number(epoch) * 1000);
  try {
    return new Date(Number(execFileSync('git', ['-C', root, 'log', '-1', '--format=%ct'], { encoding: 'utf8' }).trim()) * 1000);
  } catch {
    return new Date();
  }
}

/** RFC 5322 date as Debian changelogs want it, in UTC. */
function rfc5322(date) {
  return date.toUTCString().replace(/GMT$/, '+0000').replace(/^(\w+), (\d) /, '$1, 0$2 ');
}

function description() {
  return [
    'local smart-card API for web pages (Trust1Connector v3 compatible)',
    ' t1c serves the Trust1Connector v3 REST API on 127.0.0.1 so that web pages',
    ' read smart cards (Belgian eID and others), verify PINs and sign through',
    ' their SDK. Each user runs their own API, started at login by a systemd',
    ' user unit (or an XDG autostart entry on desktops without one); card access',
    ' runs in a separate sandbox process through pcscd.',
  ].join('\n');
}

/** Builds one .deb; returns its path. `compression` other than xz is for tests (a package made in seconds). */
export function buildDeb({ root, distDir, version, target, compression = 'xz' }) {
  const arch = DEBIAN_ARCH[target.arch];
  if (!arch) throw new Error(`no Debian architecture for ${target.name}`);
  const linux = join(root, 'packaging', 'linux');
  const out = join(distDir, `${PACKAGE}-${version}-${target.name}.deb`);
  mkdirSync(distDir, { recursive: true });
  const stage = mkdtempSync(join(distDir, `.deb-${target.name}-`));
  const date = buildDate(root);
  try {
    chmodSync(stage, 0o755);
    // Everything dist/<target>/ holds goes to /usr/lib/t1c (the executable, and any file beside it).
    for (const name of readdirSync(target.dir).sort()) {
      const from = join(target.dir, name);
      if (!statSync(from).isFile()) continue;
      const to = join(stage, 'usr/lib/t1c', name);
      mkdirSync(join(to, '..'), { recursive: true });
      copyFileSync(from, to);
      chmodSync(to, from === target.executable ? 0o755 : 0o644);
    }
    mkdirSync(join(stage, 'usr/bin'), { recursive: true });
    symlinkSync('../lib/t1c/t1c', join(stage, 'usr/bin/t1c'));
    put(stage, 'usr/lib/t1c/autostart', readFileSync(join(linux, 'autostart')), 0o755);
    put(stage, 'usr/lib/systemd/user/t1c.service', readFileSync(join(linux, 't1c.service')));
    // Shared hosts only: installed, not enabled (packaging/linux/README.md).
    put(stage, 'usr/lib/systemd/system/t1c-registry.service', readFileSync(join(linux, 't1c-registry.service')));
    put(stage, 'usr/lib/systemd/user-preset/80-t1c.preset', readFileSync(join(linux, '80-t1c.preset')));
    put(stage, 'etc/xdg/autostart/t1c.desktop', readFileSync(join(linux, 't1c.desktop')));
    // The administrator's settings for every user (below each user's own config): empty at first.
    put(stage, 'etc/t1c/connector.json', readFileSync(join(linux, 'connector.json')));
    // "Check the card connector" in the applications menu: `t1c doctor` in a terminal that stays open.
    put(stage, 'usr/lib/t1c/check-connector', readFileSync(join(linux, 'check-connector')), 0o755);
    put(stage, 'usr/share/applications/t1c-doctor.desktop', readFileSync(join(linux, 't1c-doctor.desktop')));
    put(stage, 'usr/share/doc/t1c/copyright', readFileSync(join(linux, 'copyright')));
    const changelog = readFileSync(join(linux, 'changelog.in'), 'utf8')
      .replaceAll('@VERSION@', version).replaceAll('@DATE@', rfc5322(date));
    // gzip without name or time (-n), as lintian wants.
    put(stage, 'usr/share/doc/t1c/changelog.gz', gzipSync(changelog, { level: 9 }));
    put(stage, 'usr/share/man/man1/t1c.1.gz', gzipSync(readFileSync(join(linux, 't1c.1'), 'utf8').replaceAll('@VERSION@', version), { level: 9 }));
    put(stage, 'usr/share/lintian/overrides/t1c', readFileSync(join(linux, 'lintian-overrides')));

    const control = [
      `Package: ${PACKAGE}`,
      `Version: ${version}`,
      `Architecture: ${arch}`,
      `Maintainer: ${MAINTAINER}`,
      `Installed-Size: ${installedSizeKiB(stage)}`,
      `Depends: ${[...elfDepends(target.executable), ...RUNTIME_DEPENDS].join(', ')}`,
      'Section: utils',
      'Priority: optional',
      `Description: ${description()}`,
      '',
    ].join('\n');
    put(stage, 'DEBIAN/control', control);
    put(stage, 'DEBIAN/conffiles', '/etc/t1c/connector.json\n/etc/xdg/autostart/t1c.desktop\n');
    put(stage, 'DEBIAN/md5sums', filesUnder(stage).map((f) => `${createHash('md5').update(readFileSync(join(stage, f))).digest('hex')}  ${f}\n`).join(''));
    put(stage, 'DEBIAN/postinst', readFileSync(join(linux, 'postinst')), 0o755);
    put(stage, 'DEBIAN/prerm', readFileSync(join(linux, 'prerm')), 0o755);
    put(stage, 'DEBIAN/postrm', readFileSync(join(linux, 'postrm')), 0o755);

    // xz like Debian's own packages; -Zxz is dpkg-deb's default, said here for clarity.
    // SOURCE_DATE_EPOCH clamps the archive's times, so the same tree gives the same .deb.
    execFileSync('dpkg-deb', ['--build', '--root-owner-group', `-Z${compression}`, stage, out], {
      stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, SOURCE_DATE_EPOCH: String(Math.floor(date.getTime() / 1000)) },
    });
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
  return out;
}

/** Installer entry point called by packaging/dist.mjs for every built target. */
export async function build(ctx) {
  const built = [];
  for (const target of ctx.targets) {
    if (target.os !== 'linux' || !existsSync(target.executable)) continue;
    const deb = buildDeb({ root: ctx.root, distDir: ctx.distDir, version: ctx.version, target });
    const installedKiB = Number(execFileSync('dpkg-deb', ['-f', deb, 'Installed-Size'], { encoding: 'utf8' }).trim());
    console.log(`deb: ${relative(ctx.root, deb)} (${(statSync(deb).size / 1048576).toFixed(1)} MiB, installed ${(installedKiB / 1024).toFixed(1)} MiB)`);
    built.push(deb);
  }
  return built;
}

/**
 * `node packaging/installers/deb.mjs [--target linux-x64]... [--out <dir>]`: only the .debs,
 * from the executables `npm run dist` already put in dist/<target>/.
 */
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { target: { type: 'string', multiple: true }, out: { type: 'string' } } });
  const root = join(fileURLToPath(import.meta.url), '..', '..', '..');
  const version = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version;
  const targets = (values.target ?? Object.keys(DEBIAN_ARCH).map((a) => `linux-${a}`)).map((name) => {
    const arch = name.replace(/^linux-/, '');
    if (!name.startsWith('linux-') || !DEBIAN_ARCH[arch]) throw new Error(`not a Linux target: ${name}`);
    const dir = join(root, 'dist', name);
    return { name, os: 'linux', arch, dir, executable: join(dir, 't1c') };
  });
  const missing = targets.filter((t) => !existsSync(t.executable));
  if (missing.length > 0) throw new Error(`missing ${missing.map((t) => t.executable).join(', ')}: run npm run dist -- ${missing.map((t) => `--target ${t.name}`).join(' ')}`);
  await build({ root, distDir: values.out ?? join(root, 'dist'), version, targets });
}
