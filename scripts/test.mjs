#!/usr/bin/env node
// The README's test command. Makes sure the system parts exist (pcscd, vpcd, PostgreSQL,
// Chromium), type-checks, then runs every test file with node:test inside a private mount +
// network namespace, so the pcscd, vpcd ports and servers the tests start never meet the
// host's and vanish with the run.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensurePrivateNamespace } from './namespace.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);

/** Debian package → a file that proves it is installed. */
const systemPackages = [
  ['pcscd', '/usr/sbin/pcscd'],
  ['libpcsclite1', ['/usr/lib/x86_64-linux-gnu/libpcsclite.so.1', '/usr/lib/aarch64-linux-gnu/libpcsclite.so.1']],
  ['vsmartcard-vpcd', '/usr/lib/pcsc/drivers/serial/libifdvpcd.so'],
  ['iproute2', '/usr/sbin/ip'],
  ['postgresql', '/usr/lib/postgresql'],
  ['chromium', '/usr/bin/chromium'],
  ['xvfb', '/usr/bin/Xvfb'],
  ['zenity', '/usr/bin/zenity'],
  ['xdotool', '/usr/bin/xdotool'],
  ['libnss3-tools', '/usr/bin/certutil'],
  ['binutils', '/usr/bin/x86_64-linux-gnu-strip'],
  ['binutils-aarch64-linux-gnu', '/usr/bin/aarch64-linux-gnu-strip'],
  ['wixl', '/usr/bin/wixl'],
  ['msitools', '/usr/bin/msiinfo'],
  ['wine64', '/usr/lib/wine/wine64'],
  ['shellcheck', '/usr/bin/shellcheck'],
  ['libplist-utils', '/usr/bin/plistutil'],
  ['xz-utils', '/usr/bin/xz'],
  ['lintian', '/usr/bin/lintian'],
  ['desktop-file-utils', '/usr/bin/desktop-file-validate'],
  ['systemd', '/usr/bin/systemd-analyze'],
  ['passwd', '/usr/sbin/useradd'],
  ['gcc-mingw-w64-x86-64', '/usr/bin/x86_64-w64-mingw32-gcc'],
  ['unbound', '/usr/sbin/unbound'],
  ['ldnsutils', '/usr/bin/ldns-signzone'],
  ['faketime', '/usr/bin/faketime'],
  ['xclip', '/usr/bin/xclip'],
  ['softhsm2', '/usr/bin/softhsm2-util'],
  ['opensc', '/usr/bin/pkcs11-tool'],
  ['curl', '/usr/bin/curl'],
  ['gcc', '/usr/bin/gcc'],
  ['libc6-dev', ['/usr/include/x86_64-linux-gnu/sys/types.h', '/usr/include/aarch64-linux-gnu/sys/types.h']],
  ['libp11-kit-dev', '/usr/include/p11-kit-1/p11-kit/pkcs11.h'],
];

function missingPackages() {
  return systemPackages
    .filter(([, paths]) => ![paths].flat().some((p) => existsSync(p)))
    .map(([name]) => name);
}

function ensureSystemPackages() {
  const missing = missingPackages();
  if (missing.length === 0) return;
  const line = `apt-get install -y --no-install-recommends ${missing.join(' ')}`;
  if (process.getuid?.() !== 0) {
    console.error(`Missing system packages. Run as root:\n  apt-get update && ${line}`);
    process.exit(1);
  }
  console.log(`# installing ${missing.join(' ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const run = (cmd) => spawnSync('sh', ['-c', cmd], { stdio: 'inherit', env }).status === 0;
  if (!run('apt-get update -qq') || !run(`${line} -qq`)) {
    console.error(`apt-get failed; run: apt-get update && ${line}`);
    process.exit(1);
  }
}

function findTests(dir, out = []) {
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (name === 'node_modules') continue;
    if (statSync(path).isDirectory()) findTests(path, out);
    else if (name.endsWith('.test.ts')) out.push(path);
  }
  return out;
}

function testFiles() {
  const selected = args.filter((a) => !a.startsWith('-'));
  const all = readdirSync(join(root, 'packages')).flatMap((p) => findTests(join(root, 'packages', p, 'test')));
  const files = selected.length === 0 ? all : all.filter((f) => selected.some((s) => relative(root, f).includes(s)));
  return files.sort();
}

function inNamespace() {
  const files = testFiles();
  if (files.length === 0) {
    console.error('no test files matched');
    process.exit(1);
  }
  const result = spawnSync(process.execPath, [
    '--import', 'tsx', '--test', '--test-concurrency=1', '--test-timeout=300000',
    ...args.filter((a) => a.startsWith('-') && a !== '--no-typecheck'), ...files,
  ], { stdio: 'inherit', cwd: root, env: { ...process.env, T1C_TEST_ROOT: root } });
  process.exit(result.status ?? 1);
}

if (process.env.T1C_TEST_NAMESPACE !== '1') {
  ensureSystemPackages();
  if (!args.includes('--no-typecheck')) {
    console.log('# type-checking');
    // The SDK is checked against the DOM alone (no Node types); everything else against Node.
    for (const project of ['tsconfig.json', 'packages/sdk/tsconfig.json', 'packages/demo/tsconfig.page.json']) {
      const tsc = spawnSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, project)], { stdio: 'inherit' });
      if (tsc.status !== 0) process.exit(tsc.status ?? 1);
    }
  }
}
ensurePrivateNamespace();
inNamespace();
