import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureExecutables, ROOT, ROOT_VERSION } from './dist-exe.js';

export { ROOT };
export const VERSION = ROOT_VERSION;
export const LABEL = 'org.t1c-open.connector';
export const PACKAGE_EXT = '.tar.xz';

const sha256 = (path: string): string => createHash('sha256').update(readFileSync(path)).digest('hex');

/** True when the archive holds exactly these bytes under these names (by content: mtimes race with a build in progress). */
function holds(pkg: string, top: string, files: Record<string, string>): boolean {
  if (!existsSync(pkg)) return false;
  const scratch = mkdtempSync(join(tmpdir(), 't1c-macos-pkg-check-'));
  try {
    if (spawnSync('tar', ['-xf', pkg, '-C', scratch]).status !== 0) return false;
    return Object.entries(files).every(([name, source]) => existsSync(join(scratch, top, name)) && sha256(join(scratch, top, name)) === sha256(source));
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/**
 * The macOS package of one arch: the executable through `npm run dist` when missing or stale,
 * then packaging/installers/macos.mjs when the package does not hold what it should.
 */
export async function ensureMacosPackage(arch: 'x64' | 'arm64'): Promise<string> {
  const target = `darwin-${arch}`;
  const executable = (await ensureExecutables([target]))[target] ?? '';
  const top = `t1c-${VERSION}-${target}`;
  const pkg = join(ROOT, 'dist', `${top}${PACKAGE_EXT}`);
  const recipe = join(ROOT, 'packaging', 'macos');
  const files = Object.fromEntries([['t1c', executable], ...['install.sh', 'uninstall.sh', `${LABEL}.plist`].map((f) => [f, join(recipe, f)])]);
  if (!holds(pkg, top, files)) {
    const r = spawnSync(process.execPath, [join(ROOT, 'packaging', 'installers', 'macos.mjs'), '--target', target], { cwd: ROOT, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`macos.mjs --target ${target} failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  }
  return pkg;
}
