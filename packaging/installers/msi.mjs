// Windows installer: dist/t1c-<version>-win-x64.msi from packaging/windows/t1c.wxs with Debian's wixl.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { buildWindowsLauncher, LAUNCHER } from '../windows/launcher.mjs';

/** MSI ProductVersion is numeric major.minor.build; a pre-release suffix (0.1.0-rc.1) is dropped. */
export function msiVersion(version) {
  const m = /^(\d+)\.(\d+)\.(\d+)/.exec(version);
  if (!m) throw new Error(`msi: version "${version}" is not major.minor.patch`);
  if (Number(m[1]) > 255 || Number(m[2]) > 255 || Number(m[3]) > 65535) throw new Error(`msi: version "${version}" exceeds MSI limits (255.255.65535)`);
  return `${m[1]}.${m[2]}.${m[3]}`;
}

/** Builds the MSI for win-x64 when that target was built; other targets are not ours. */
export async function build(ctx) {
  const target = ctx.targets.find((t) => t.name === 'win-x64');
  if (!target) return [];
  const output = join(ctx.distDir, `t1c-${ctx.version}-win-x64.msi`);
  // wixl resolves File/@Source relative to the working directory and refuses absolute paths,
  // so the executable and its windowless launcher are staged under fixed names in a scratch directory.
  const stage = mkdtempSync(join(tmpdir(), 't1c-msi-'));
  try {
    copyFileSync(target.executable, join(stage, 't1c.exe'));
    // The one beside t1c.exe (npm run dist makes it; a release signs both), else made now.
    const built = join(dirname(target.executable), LAUNCHER);
    if (existsSync(built)) copyFileSync(built, join(stage, LAUNCHER));
    else buildWindowsLauncher(join(stage, LAUNCHER));
    const args = ['-a', 'x64', '-D', `Version=${msiVersion(ctx.version)}`, '-D', 'Executable=t1c.exe', '-D', `Launcher=${LAUNCHER}`,
      '-o', output, join(ctx.root, 'packaging', 'windows', 't1c.wxs')];
    const run = spawnSync('wixl', args, { cwd: stage, encoding: 'utf8' });
    if (run.error) throw new Error(`msi: cannot run wixl (apt-get install wixl): ${run.error.message}`);
    // wixl reports an attribute it does not know, or a table row it could not fill, as a GLib
    // warning and still writes an MSI without it: that MSI is wrong, not "built with warnings".
    if (run.status !== 0 || /WARNING|CRITICAL/.test(run.stderr)) throw new Error(`msi: wixl failed (${run.status}): ${run.stderr.trim()}`);
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
  console.log(`msi: ${output} (${(statSync(output).size / 1e6).toFixed(1)} MB)`);
  return [output];
}

// `node packaging/installers/msi.mjs`: the MSI again from dist/win-x64/t1c.exe and t1cw.exe as
// they are now, for the release step that signs them (Authenticode) before packaging them.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
  const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const dir = join(root, 'dist', 'win-x64');
  await build({ root, distDir: join(root, 'dist'), version, targets: [{ name: 'win-x64', os: 'win32', arch: 'x64', dir, executable: join(dir, 't1c.exe') }] });
}
