#!/usr/bin/env node
// Builds dist/t1c-sdk.min.js (one minified ESM file for <script type="module"> or any bundler)
// and dist/types/*.d.ts. Offline: esbuild and typescript come from the repository's node_modules.
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const here = fileURLToPath(new URL('.', import.meta.url));
const require = createRequire(import.meta.url);

rmSync(`${here}dist`, { recursive: true, force: true });

await build({
  entryPoints: [`${here}src/index.ts`],
  outfile: `${here}dist/t1c-sdk.min.js`,
  bundle: true,
  format: 'esm',
  platform: 'browser',
  // Chrome 100 / Firefox 100 / Safari 15: every browser with the Web APIs the SDK uses.
  target: ['es2021', 'chrome100', 'firefox100', 'safari15'],
  minify: true,
  legalComments: 'none',
  logLevel: 'warning',
});

const tsc = spawnSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', `${here}tsconfig.build.json`], { stdio: 'inherit' });
if (tsc.status !== 0) {
  console.error('sdk: declaration build failed');
  process.exit(tsc.status ?? 1);
}
