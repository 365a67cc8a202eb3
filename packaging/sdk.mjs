// `dist/t1c-sdk-<version>.tgz`: the SDK as web applications install it from npm. The
// monorepo imports the SDK's TypeScript sources; the tarball carries built ESM JavaScript,
// `.d.ts` types, the README and docs, under a package.json written for it (the workspace's
// own stays pointed at the sources).
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';

export async function packSdk({ root, distDir, version }) {
  const sdk = join(root, 'packages', 'sdk');
  const built = spawnSync('npm', ['run', 'build', '--silent'], { cwd: sdk, stdio: 'inherit' });
  if (built.status !== 0) throw new Error('sdk build failed');
  const stage = join(distDir, '.work', 'sdk-package');
  rmSync(stage, { recursive: true, force: true });
  mkdirSync(join(stage, 'dist'), { recursive: true });
  // Readable ESM for bundlers (they minify themselves); the minified file stays for <script type="module">.
  await build({
    entryPoints: [join(sdk, 'src', 'index.ts')],
    outfile: join(stage, 'dist', 'index.js'),
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: ['es2021', 'chrome100', 'firefox100', 'safari15'],
    legalComments: 'none',
    logLevel: 'warning',
  });
  cpSync(join(sdk, 'dist', 't1c-sdk.min.js'), join(stage, 'dist', 't1c-sdk.min.js'));
  cpSync(join(sdk, 'dist', 'types'), join(stage, 'dist', 'types'), { recursive: true });
  cpSync(join(sdk, 'README.md'), join(stage, 'README.md'));
  cpSync(join(sdk, 'docs'), join(stage, 'docs'), { recursive: true });
  const workspace = JSON.parse(readFileSync(join(sdk, 'package.json'), 'utf8'));
  writeFileSync(join(stage, 'package.json'), `${JSON.stringify({
    name: workspace.name,
    version,
    description: workspace.description,
    license: 'Apache-2.0',
    type: 'module',
    sideEffects: false,
    main: './dist/index.js',
    types: './dist/types/index.d.ts',
    exports: {
      '.': { types: './dist/types/index.d.ts', default: './dist/index.js' },
      './bundle': { types: './dist/types/index.d.ts', default: './dist/t1c-sdk.min.js' },
    },
    files: ['dist', 'docs', 'README.md'],
  }, null, 2)}\n`);
  const out = join(distDir, '.work', 'sdk-tgz');
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  const pack = spawnSync('npm', ['pack', stage, '--pack-destination', out, '--silent'], { encoding: 'utf8' });
  if (pack.status !== 0) throw new Error(`sdk pack failed: ${pack.stderr}`);
  const [packed] = readdirSync(out);
  if (!packed) throw new Error('npm pack of the sdk wrote nothing');
  const tgz = join(distDir, `t1c-sdk-${version}.tgz`);
  renameSync(join(out, packed), tgz);
  return tgz;
}
