// Bundles the desktop program (packages/connector/src/desktop/main.ts) into one CommonJS file
// for Node's single executable applications, and returns esbuild's metafile so callers (the
// dist driver, the bundle-contents test) can prove what went in.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const require = createRequire(join(root, 'package.json'));

export const DESKTOP_ENTRY = join(root, 'packages/connector/src/desktop/main.ts');
const KOFFI_ADDON = join(root, 'packages/connector/src/desktop/koffi-addon.ts');
const SPECIMEN_JPG = join(root, 'packages/emulator/assets/specimen.jpg');

/**
 * koffi in the bundle: its own JavaScript, loaded on first use (the API process never uses
 * it), with its binary finder replaced by the loader of the copy carried in the executable.
 */
const koffiPlugin = {
  name: 't1c-koffi',
  setup(b) {
    const realIndex = require.resolve('koffi', { paths: [join(root, 'packages/smartcard')] });
    b.onResolve({ filter: /^koffi$/ }, () => ({ path: 'koffi-lazy', namespace: 't1c-koffi' }));
    b.onLoad({ filter: /^koffi-lazy$/, namespace: 't1c-koffi' }, () => ({
      loader: 'js',
      resolveDir: root,
      contents: `let real;
const load = () => (real ??= require(${JSON.stringify(realIndex)}));
module.exports = new Proxy({}, { get: (_t, key) => (key === '__esModule' ? undefined : load()[key]) });`,
    }));
    b.onLoad({ filter: /[\\/]koffi[\\/]src[\\/]koffi[\\/]src[\\/]static\.cjs$/ }, () => ({
      loader: 'js',
      resolveDir: root,
      contents: `module.exports = { loadStatic: () => require(${JSON.stringify(KOFFI_ADDON)}).loadKoffiAddon() };`,
    }));
  },
};

/** The specimen photo of the virtual eID, embedded: a bundle has no assets folder beside it. */
const specimenPhotoPlugin = {
  name: 't1c-specimen-photo',
  setup(b) {
    b.onLoad({ filter: /[\\/]emulator[\\/]src[\\/]beid[\\/]specimen-photo\.ts$/ }, () => ({
      loader: 'ts',
      contents: `const PHOTO = ${JSON.stringify(readFileSync(SPECIMEN_JPG).toString('base64'))};
export function specimenPhoto(): Uint8Array { return Uint8Array.from(Buffer.from(PHOTO, 'base64')); }`,
    }));
  },
};

/**
 * zod re-exports all its ~50 message locales as a namespace, so a bundler keeps them all
 * (a quarter of the bundle). The connector uses only the English messages zod configures by
 * default; the others are never reachable from our code.
 */
const zodLocalesPlugin = {
  name: 't1c-zod-locales',
  setup(b) {
    b.onLoad({ filter: /[\\/]node_modules[\\/]zod[\\/]v4[\\/]locales[\\/]index\.js$/ }, (args) => ({
      loader: 'js',
      resolveDir: dirname(args.path),
      contents: 'export { default as en } from "./en.js";\n',
    }));
  },
};

/** Builds `outfile`; resolves to esbuild's metafile. */
export async function bundleDesktop({ outfile, nodeTarget = 'node22' }) {
  const result = await build({
    entryPoints: [DESKTOP_ENTRY],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: nodeTarget,
    minify: true,
    keepNames: true,
    legalComments: 'none',
    metafile: true,
    logLevel: 'warning',
    // Only the from-sources branches of os/self-command.ts read import.meta; the executable takes the others.
    logOverride: { 'empty-import-meta': 'silent' },
    plugins: [koffiPlugin, specimenPhotoPlugin, zodLocalesPlugin],
  });
  return result.metafile;
}
