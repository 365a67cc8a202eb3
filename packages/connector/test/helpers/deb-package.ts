import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readdirSync, readSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, it } from 'node:test';
import { ensureExecutables, ROOT, ROOT_VERSION } from './dist-exe.js';

export interface ShResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export function sh(command: string, args: readonly string[]): ShResult {
  const r = spawnSync(command, [...args], { encoding: 'utf8', maxBuffer: 1 << 26 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** What the package puts on disk (dpkg-deb -c), besides the directories. */
export const PACKAGE_FILES = [
  './usr/lib/t1c/t1c', './usr/bin/t1c', './usr/lib/t1c/autostart',
  './usr/lib/systemd/user/t1c.service', './usr/lib/systemd/user-preset/80-t1c.preset', './usr/lib/systemd/system/t1c-registry.service',
  './etc/xdg/autostart/t1c.desktop', './etc/t1c/connector.json', './usr/share/doc/t1c/copyright', './usr/share/doc/t1c/changelog.gz',
  './usr/share/man/man1/t1c.1.gz', './usr/share/lintian/overrides/t1c',
  './usr/lib/t1c/check-connector', './usr/share/applications/t1c-doctor.desktop',
];

const newest = (paths: readonly string[]): number => Math.max(...paths.map((p) => statSync(p).mtimeMs));

/**
 * dist/t1c-<version>-<target>.deb, built by the installer `npm run dist` runs
 * (packaging/installers/deb.mjs) when missing or older than the executable or the recipe.
 * xz-compressing 120 MB takes a minute or two, so a fresh one from `npm run dist` is reused.
 */
export async function ensureDeb(target: string): Promise<string> {
  const exe = (await ensureExecutables([target]))[target];
  if (exe === undefined) throw new Error(`no executable for ${target}`);
  const deb = join(ROOT, 'dist', `t1c-${ROOT_VERSION}-${target}.deb`);
  const linux = join(ROOT, 'packaging', 'linux');
  const inputs = [exe, join(ROOT, 'packaging/installers/deb.mjs'), join(ROOT, 'package.json'), ...readdirSync(linux).map((f) => join(linux, f))];
  if (!existsSync(deb) || statSync(deb).mtimeMs <= newest(inputs)) {
    const r = sh(process.execPath, [join(ROOT, 'packaging/installers/deb.mjs'), '--target', target]);
    if (r.code !== 0) throw new Error(`deb.mjs failed: ${r.stdout}\n${r.stderr}`);
  }
  return deb;
}

export function field(deb: string, name: string): string {
  return sh('dpkg-deb', ['-f', deb, name]).stdout.trim();
}

/** Paths in the package, `./usr/bin/t1c -> ../lib/t1c/t1c` for links. */
export function contents(deb: string): string[] {
  return sh('dpkg-deb', ['-c', deb]).stdout.split('\n').filter(Boolean).map((line) => line.split(/\s+/).slice(5).join(' '));
}

/** lintian's E: and W: lines (overridden tags are not printed). */
export function lintian(deb: string): { errors: string[]; warnings: string[]; output: string } {
  const r = sh('lintian', ['--pedantic', deb]);
  const output = `${r.stdout}${r.stderr}`;
  const lines = output.split('\n');
  return { errors: lines.filter((l) => l.startsWith('E:')), warnings: lines.filter((l) => l.startsWith('W:')), output };
}

/** The ELF identification and e_machine. */
export function elfHeader(file: string): { magic: string; elfClass: number; littleEndian: boolean; machine: number } {
  const fd = openSync(file, 'r');
  const buf = Buffer.alloc(20);
  try {
    readSync(fd, buf, 0, 20, 0);
  } finally {
    closeSync(fd);
  }
  const littleEndian = buf[5] === 1;
  return { magic: buf.toString('latin1', 0, 4), elfClass: buf[4] ?? 0, littleEndian, machine: littleEndian ? buf.readUInt16LE(18) : buf.readUInt16BE(18) };
}

/**
 * The checks every Linux package gets, whether or not it can run here: control fields,
 * contents, conffiles, the executable's ELF machine (0x3E x86-64, 0xB7 aarch64), lintian.
 */
export function packageChecks(target: 'linux-x64' | 'linux-arm64'): void {
  const [arch, machine, name] = target === 'linux-x64' ? ['amd64', 0x3e, 'x86-64'] : ['arm64', 0xb7, 'aarch64'];
  let deb = '';
  before(async () => {
    deb = await ensureDeb(target);
  });

  it(`${target}: control fields, contents, conffiles and an ${name} ELF inside`, (t) => {
    assert.equal(field(deb, 'Package'), 't1c');
    assert.equal(field(deb, 'Version'), ROOT_VERSION);
    assert.equal(field(deb, 'Architecture'), arch);
    const depends = field(deb, 'Depends').split(/,\s*/).map((d) => d.split(' ')[0]);
    for (const pkg of ['pcscd', 'libpcsclite1', 'libc6']) assert.ok(depends.includes(pkg), `Depends lacks ${pkg}: ${depends.join(', ')}`);
    const listed = contents(deb);
    for (const path of PACKAGE_FILES) assert.ok(listed.some((l) => l === path || l.startsWith(`${path} -> `)), `${path} missing from ${listed.join('\n')}`);
    assert.ok(listed.includes('./usr/bin/t1c -> ../lib/t1c/t1c'));
    assert.equal(sh('sh', ['-c', `dpkg-deb --ctrl-tarfile '${deb}' | tar -xO ./conffiles`]).stdout.trim(), '/etc/t1c/connector.json\n/etc/xdg/autostart/t1c.desktop');

    const unpacked = mkdtempSync(join(tmpdir(), 't1c-deb-x-'));
    try {
      assert.equal(sh('dpkg-deb', ['-x', deb, unpacked]).code, 0);
      const exe = join(unpacked, 'usr/lib/t1c/t1c');
      const header = elfHeader(exe);
      assert.equal(header.magic, '\x7fELF');
      assert.equal(header.elfClass, 2, '64-bit ELF');
      assert.equal(header.littleEndian, true);
      assert.equal(header.machine, machine, `e_machine 0x${header.machine.toString(16)}`);
      assert.equal(statSync(exe).mode & 0o777, 0o755);
      const installedKiB = Number(field(deb, 'Installed-Size'));
      t.diagnostic(`${target}: .deb ${statSync(deb).size} bytes, Installed-Size ${installedKiB} KiB, executable ${statSync(exe).size} bytes`);
      assert.ok(installedKiB * 1024 >= statSync(exe).size);
    } finally {
      rmSync(unpacked, { recursive: true, force: true });
    }
  });

  it(`${target}: lintian reports no errors`, (t) => {
    const report = lintian(deb);
    for (const w of report.warnings) t.diagnostic(w);
    assert.deepEqual(report.errors, [], report.output);
  });
}
