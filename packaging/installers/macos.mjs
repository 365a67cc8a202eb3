// macOS package: dist/t1c-<version>-darwin-<arch>.tar.xz holding the executable, the LaunchAgent
// plist template and per-user install.sh / uninstall.sh. Not a .pkg: a flat .pkg needs a xar
// archive and a BOM, and this Linux build has no maintained tool to write them nor any
// independent one to check them (packaging/macos/README.md says what would change that).
import { run } from '../run.mjs';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const LABEL = 'org.t1c-open.connector';
const recipe = fileURLToPath(new URL('../macos/', import.meta.url));

/** Files of the package, in its top directory, with their modes. */
const CONTENTS = [
  { from: 'install.sh', mode: 0o755 },
  { from: 'uninstall.sh', mode: 0o755 },
  { from: `${LABEL}.plist`, mode: 0o644 },
];

/** Builds one archive; returns its path. */
export function buildMacosPackage({ distDir, version, target }) {
  const top = `t1c-${version}-${target.name}`;
  const stage = join(distDir, '.stage-macos', target.name);
  rmSync(stage, { recursive: true, force: true });
  mkdirSync(join(stage, top), { recursive: true });
  copyFileSync(target.executable, join(stage, top, 't1c'));
  chmodSync(join(stage, top, 't1c'), 0o755);
  for (const f of CONTENTS) {
    copyFileSync(join(recipe, f.from), join(stage, top, f.from));
    chmodSync(join(stage, top, f.from), f.mode);
  }
  const out = join(distDir, `${top}.tar.xz`);
  // Fixed owner, order and time: the same inputs give the same archive. xz, not gzip: the
  // ~113 MB program packs to ~37 MB with gzip -9, over the 32 MB goal; macOS tar reads xz.
  const mtime = process.env.SOURCE_DATE_EPOCH ? `@${process.env.SOURCE_DATE_EPOCH}` : '@0';
  run('tar', ['--sort=name', '--owner=0', '--group=0', '--numeric-owner', `--mtime=${mtime}`,
    '-I', 'xz -6 -T2', '-cf', out, '-C', stage, top]);
  rmSync(join(distDir, '.stage-macos'), { recursive: true, force: true });
  return out;
}

/** The `npm run dist` hook: one archive per darwin target that was built. */
export async function build(ctx) {
  const outputs = [];
  for (const target of ctx.targets) {
    if (!target.name.startsWith('darwin-') || !existsSync(target.executable)) continue;
    outputs.push(buildMacosPackage({ distDir: ctx.distDir, version: ctx.version, target }));
    console.log(`macos: ${outputs.at(-1)}`);
  }
  return outputs;
}

// Alone (`node packaging/installers/macos.mjs [--target darwin-arm64]…`): package what
// dist/darwin-*/t1c exists.
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const wanted = process.argv.slice(2).flatMap((a, i, all) => (all[i - 1] === '--target' ? [a] : []));
  const root = fileURLToPath(new URL('../../', import.meta.url));
  const distDir = join(root, 'dist');
  const { version } = JSON.parse((await import('node:fs')).readFileSync(join(root, 'package.json'), 'utf8'));
  const targets = (existsSync(distDir) ? readdirSync(distDir) : []).filter((n) => n.startsWith('darwin-') && (wanted.length === 0 || wanted.includes(n))).map((name) => ({
    name, os: 'darwin', arch: name.slice('darwin-'.length), dir: join(distDir, name), executable: join(distDir, name, 't1c'),
  }));
  if (targets.length === 0) console.error('macos: no dist/darwin-*/t1c; run `npm run dist -- --target darwin-arm64` first');
  await build({ root, distDir, version, targets });
}
