import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = process.env.T1C_TEST_ROOT ?? fileURLToPath(new URL('../../../../', import.meta.url));
export const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
export const LABEL = 'org.t1c-open.connector';
export const PACKAGE_EXT = '.tar.xz';

const newest = (paths: readonly string[]): number => Math.max(...paths.map((p) => statSync(p).mtimeMs));

/**
 * The macOS package of one arch, built when missing or older than its inputs: the executable
 * through `npm run dist` (the driver runs every installer), the package alone through
 * packaging/installers/macos.mjs.
 */
export function ensureMacosPackage(arch: 'x64' | 'arm64'): string {
  const target = `darwin-${arch}`;
  const executable = join(ROOT, 'dist', target, 't1c');
  const pkg = join(ROOT, 'dist', `t1c-${VERSION}-${target}${PACKAGE_EXT}`);
  const run = (command: string, args: readonly string[]): void => {
    const r = spawnSync(command, args, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    if (r.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  };
  if (!existsSync(executable)) run('npm', ['run', 'dist', '--', '--target', target]);
  const recipe = join(ROOT, 'packaging', 'macos');
  const shipped = ['install.sh', 'uninstall.sh', `${LABEL}.plist`].map((f) => join(recipe, f));
  const inputs = [executable, join(ROOT, 'packaging', 'installers', 'macos.mjs'), ...shipped];
  if (!existsSync(pkg) || statSync(pkg).mtimeMs < newest(inputs)) {
    run(process.execPath, [join(ROOT, 'packaging', 'installers', 'macos.mjs'), '--target', target]);
  }
  return pkg;
}
