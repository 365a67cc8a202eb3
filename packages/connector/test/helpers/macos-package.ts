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

type Arch = 'x64' | 'arm64';
let ready: Promise<Record<Arch, string>> | undefined;

/**
 * Both macOS packages, once per test process: the executables through `npm run dist` when
 * missing or stale (one bundle for both), then packaging/installers/macos.mjs for a package
 * that does not hold what it should.
 */
export function ensureMacosPackages(): Promise<Record<Arch, string>> {
  ready ??= (async () => {
    const archs: readonly Arch[] = ['arm64', 'x64'];
    const executables = await ensureExecutables(archs.map((a) => `darwin-${a}`));
    const recipe = join(ROOT, 'packaging', 'macos');
    const pkgs = { arm64: '', x64: '' };
    const stale: string[] = [];
    for (const arch of archs) {
      const target = `darwin-${arch}`;
      const top = `t1c-${VERSION}-${target}`;
      pkgs[arch] = join(ROOT, 'dist', `${top}${PACKAGE_EXT}`);
      const files = Object.fromEntries([['t1c', executables[target] ?? ''], ...['install.sh', 'uninstall.sh', `${LABEL}.plist`].map((f) => [f, join(recipe, f)])]);
      if (!holds(pkgs[arch], top, files)) stale.push(target);
    }
    if (stale.length > 0) {
      const r = spawnSync(process.execPath, [join(ROOT, 'packaging', 'installers', 'macos.mjs'), ...stale.flatMap((t) => ['--target', t])], { cwd: ROOT, encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`macos.mjs ${stale.join(' ')} failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
    }
    return pkgs;
  })();
  return ready;
}
