// Windows installers, with Debian's wixl: dist/t1c-<version>-win-x64.msi (per user, from
// packaging/windows/t1c.wxs) and dist/t1c-<version>-win-x64-machine.msi (for all users, with the
// Registry service, from packaging/windows/t1c-machine.wxs).
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { buildServiceWrapper, buildWindowsLauncher, LAUNCHER, SERVICE_WRAPPER } from '../windows/launcher.mjs';

/** MSI ProductVersion is numeric major.minor.build; a pre-release suffix (0.1.0-rc.1) is dropped. */
export function msiVersion(version) {
  const m = /^(\d+)\.(\d+)\.(\d+)/.exec(version);
  if (!m) throw new Error(`msi: version "${version}" is not major.minor.patch`);
  if (Number(m[1]) > 255 || Number(m[2]) > 255 || Number(m[3]) > 65535) throw new Error(`msi: version "${version}" exceeds MSI limits (255.255.65535)`);
  return `${m[1]}.${m[2]}.${m[3]}`;
}

/** The per-user MSI of `version`, and the per-machine one. */
export function msiFiles(distDir, version) {
  return { perUser: join(distDir, `t1c-${version}-win-x64.msi`), perMachine: join(distDir, `t1c-${version}-win-x64-machine.msi`) };
}

/** Builds both MSIs for win-x64 when that target was built; other targets are not ours. */
export async function build(ctx) {
  const target = ctx.targets.find((t) => t.name === 'win-x64');
  if (!target) return [];
  const { perUser, perMachine } = msiFiles(ctx.distDir, ctx.version);
  // wixl resolves File/@Source relative to the working directory and refuses absolute paths,
  // so the executable and its helpers are staged under fixed names in a scratch directory.
  const stage = mkdtempSync(join(tmpdir(), 't1c-msi-'));
  try {
    copyFileSync(target.executable, join(stage, 't1c.exe'));
    // The ones beside t1c.exe (npm run dist makes them; a release signs them), else made now.
    for (const [name, make] of [[LAUNCHER, buildWindowsLauncher], [SERVICE_WRAPPER, buildServiceWrapper]]) {
      const built = join(dirname(target.executable), name);
      if (existsSync(built)) copyFileSync(built, join(stage, name));
      else make(join(stage, name));
    }
    const defines = ['-D', `Version=${msiVersion(ctx.version)}`, '-D', 'Executable=t1c.exe', '-D', `Launcher=${LAUNCHER}`, '-D', `ServiceWrapper=${SERVICE_WRAPPER}`];
    for (const [output, wxs] of [[perUser, 't1c.wxs'], [perMachine, 't1c-machine.wxs']]) {
      const run = spawnSync('wixl', ['-a', 'x64', ...defines, '-o', output, join(ctx.root, 'packaging', 'windows', wxs)], { cwd: stage, encoding: 'utf8' });
      if (run.error) throw new Error(`msi: cannot run wixl (apt-get install wixl): ${run.error.message}`);
      // wixl reports an attribute it does not know, or a table row it could not fill, as a GLib
      // warning and still writes an MSI without it: that MSI is wrong, not "built with warnings".
      if (run.status !== 0 || /WARNING|CRITICAL/.test(run.stderr)) throw new Error(`msi: wixl failed on ${wxs} (${run.status}): ${run.stderr.trim()}`);
      console.log(`msi: ${output} (${(statSync(output).size / 1e6).toFixed(1)} MB)`);
    }
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
  return [perUser, perMachine];
}

// `node packaging/installers/msi.mjs`: both MSIs again from dist/win-x64/t1c.exe, t1cw.exe and t1csvc.exe as
// they are now, for the release step that signs them (Authenticode) before packaging them.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
  const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const dir = join(root, 'dist', 'win-x64');
  await build({ root, distDir: join(root, 'dist'), version, targets: [{ name: 'win-x64', os: 'win32', arch: 'x64', dir, executable: join(dir, 't1c.exe') }] });
}
