// Size of our SDK bundle against the official t1c-sdk-js bundle, raw and gzipped.
// Run: node --import tsx bench/sdk/size.ts (builds packages/sdk first).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const root = fileURLToPath(new URL('../..', import.meta.url));
const require = createRequire(import.meta.url);

const build = spawnSync(process.execPath, [`${root}packages/sdk/build.mjs`], { stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);

function measure(path: string): { raw: number; gzip: number } {
  const bytes = readFileSync(path);
  return { raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
}

const kb = (n: number): string => `${(n / 1024).toFixed(1)} KiB`;
const ours = measure(`${root}packages/sdk/dist/t1c-sdk.min.js`);
const official = measure(require.resolve('t1c-sdk-js/dist/T1CSdk.js'));

console.log('bundle                          raw          gzip');
console.log(`ours  packages/sdk (min ESM)  ${kb(ours.raw).padStart(10)}  ${kb(ours.gzip).padStart(10)}  (${ours.raw} / ${ours.gzip} bytes)`);
console.log(`t1c-sdk-js dist/T1CSdk.js     ${kb(official.raw).padStart(10)}  ${kb(official.gzip).padStart(10)}  (${official.raw} / ${official.gzip} bytes)`);
console.log(`ratio (official / ours)       ${(official.raw / ours.raw).toFixed(1).padStart(9)}x  ${(official.gzip / ours.gzip).toFixed(1).padStart(9)}x`);
