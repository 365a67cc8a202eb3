import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { build } from 'esbuild';
import { packSdk } from '../../../packaging/sdk.mjs';
import { ROOT, ROOT_VERSION } from './helpers/dist-exe.js';

const PAGE = `import { connect, isT1cError, type T1cClient, type InfoResponse } from '@t1c/sdk';

export async function readInfo(): Promise<InfoResponse | string> {
  try {
    const client: T1cClient = await connect({ candidates: ['http://127.0.0.1:51983'], timeoutMs: 5000 });
    return await client.info();
  } catch (error) {
    return isT1cError(error) ? error.code : 'unknown';
  }
}
`;

describe('dist/t1c-sdk-<version>.tgz, the SDK as web applications install it', () => {
  let dir: string;
  let tgz: string;
  let project: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 't1c-sdk-pack-'));
    tgz = await packSdk({ root: ROOT, distDir: join(dir, 'dist'), version: ROOT_VERSION });
    project = join(dir, 'page');
    mkdirSync(join(project, 'src'), { recursive: true });
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'scratch-page', private: true, type: 'module' }));
    const install = spawnSync('npm', ['install', '--offline', '--no-audit', '--no-fund', '--ignore-scripts', tgz], { cwd: project, encoding: 'utf8' });
    assert.equal(install.status, 0, install.stderr);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('is named t1c-sdk-<version>.tgz and holds ESM JavaScript, .d.ts types and the README, no TypeScript sources', () => {
    assert.equal(basename(tgz), `t1c-sdk-${ROOT_VERSION}.tgz`);
    const list = spawnSync('tar', ['-tzf', tgz], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean);
    assert.ok(list.includes('package/README.md'));
    assert.ok(list.includes('package/dist/index.js'));
    assert.ok(list.includes('package/dist/types/index.d.ts'));
    assert.deepEqual(list.filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts')), []);
    const pkg = JSON.parse(readFileSync(join(project, 'node_modules', '@t1c', 'sdk', 'package.json'), 'utf8')) as { type: string; exports: Record<string, { types: string; default: string }> };
    assert.equal(pkg.type, 'module');
    assert.deepEqual(pkg.exports['.'], { types: './dist/types/index.d.ts', default: './dist/index.js' });
  });

  it('a page importing it bundles with esbuild', async () => {
    writeFileSync(join(project, 'src', 'page.ts'), PAGE);
    const result = await build({
      entryPoints: [join(project, 'src', 'page.ts')], bundle: true, format: 'esm', platform: 'browser', write: false, logLevel: 'silent',
      absWorkingDir: project,
    });
    const code = result.outputFiles[0]?.text ?? '';
    assert.match(code, /readInfo/);
    assert.ok(code.length > 10_000, 'the SDK is inside the bundle');
  });

  it('type-checks with tsc against the shipped .d.ts', () => {
    writeFileSync(join(project, 'src', 'page.ts'), PAGE);
    writeFileSync(join(project, 'tsconfig.json'), JSON.stringify({
      compilerOptions: {
        target: 'ES2022', module: 'ESNext', moduleResolution: 'Bundler', lib: ['ES2022', 'DOM'], strict: true, noEmit: true, types: [],
      },
      include: ['src'],
    }));
    const tsc = createRequire(join(ROOT, 'package.json')).resolve('typescript/bin/tsc');
    const checked = spawnSync(process.execPath, [tsc, '-p', join(project, 'tsconfig.json')], { cwd: project, encoding: 'utf8' });
    assert.equal(checked.status, 0, checked.stdout + checked.stderr);
    writeFileSync(join(project, 'src', 'wrong.ts'), `import { connect } from '@t1c/sdk';\nconst n: number = connect;\nexport { n };\n`);
    const refused = spawnSync(process.execPath, [tsc, '-p', join(project, 'tsconfig.json')], { cwd: project, encoding: 'utf8' });
    assert.notEqual(refused.status, 0, 'the types are real: a wrong use fails');
    rmSync(join(project, 'src', 'wrong.ts'));
  });
});
