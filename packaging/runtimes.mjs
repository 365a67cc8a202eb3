// Fetches the pinned runtime tarballs (Node per target, koffi's prebuilt binary per target)
// from the npm registry with `npm pack`, checks each against its pinned sha512 integrity and
// extracts the one file needed. Everything is cached in dist/.cache.
import { run } from './run.mjs';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const TARGETS = {
  'linux-x64': { os: 'linux', arch: 'x64', exe: 't1c' },
  'linux-arm64': { os: 'linux', arch: 'arm64', exe: 't1c' },
  'win-x64': { os: 'win32', arch: 'x64', exe: 't1c.exe' },
  'darwin-x64': { os: 'darwin', arch: 'x64', exe: 't1c' },
  'darwin-arm64': { os: 'darwin', arch: 'arm64', exe: 't1c' },
};

export function readRuntimes(root) {
  return JSON.parse(readFileSync(join(root, 'packaging', 'runtimes.json'), 'utf8'));
}

function integrityOf(bytes) {
  return `sha512-${createHash('sha512').update(bytes).digest('base64')}`;
}

/** The verified tarball of `name@version`, fetched once into `cache`. */
function tarball(cache, name, version, integrity) {
  mkdirSync(cache, { recursive: true });
  const file = join(cache, `${name.replace(/^@/, '').replace('/', '-')}-${version}.tgz`);
  if (!existsSync(file)) {
    const staging = join(cache, `.pack-${process.pid}`);
    rmSync(staging, { recursive: true, force: true });
    mkdirSync(staging);
    run('npm', ['pack', `${name}@${version}`, '--pack-destination', staging, '--silent']);
    const [packed] = readdirSync(staging);
    if (!packed) throw new Error(`npm pack ${name}@${version} wrote nothing`);
    renameSync(join(staging, packed), file);
    rmSync(staging, { recursive: true, force: true });
  }
  const actual = integrityOf(readFileSync(file));
  if (actual !== integrity) {
    rmSync(file, { force: true });
    throw new Error(`${name}@${version}: integrity ${actual} is not the pinned ${integrity}`);
  }
  return file;
}

/** Extracts `package/<member>` of a verified tarball into the cache once; returns its path. */
function extracted(cache, kind, target, pin, version) {
  const dir = join(cache, `${kind}-${target}-${version}`);
  const out = join(dir, pin.binary.split('/').pop());
  const stamp = join(dir, '.integrity');
  if (existsSync(out) && existsSync(stamp) && readFileSync(stamp, 'utf8') === pin.integrity) return out;
  const file = tarball(cache, pin.package, version, pin.integrity);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  run('tar', ['-xzf', file, '-C', dir, '--strip-components', String(pin.binary.split('/').length), `package/${pin.binary}`]);
  chmodSync(out, 0o755);
  writeFileSync(stamp, pin.integrity);
  return out;
}

/** Node's official binary for `target`, verified. */
export function nodeBinary(root, cache, target) {
  const { node } = readRuntimes(root);
  const pin = node.targets[target];
  if (!pin) throw new Error(`no pinned Node for ${target}`);
  return extracted(cache, 'node', target, pin, node.version);
}

/** koffi's prebuilt binary for `target`, verified. */
export function koffiBinary(root, cache, target) {
  const { koffi } = readRuntimes(root);
  const pin = koffi.targets[target];
  if (!pin) throw new Error(`no pinned koffi for ${target}`);
  return extracted(cache, 'koffi', target, pin, koffi.version);
}
