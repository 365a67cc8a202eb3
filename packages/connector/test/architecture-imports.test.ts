import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { build, type Metafile, type Plugin } from 'esbuild';

const root = join(import.meta.dirname, '../../..');

/** Third-party packages stay outside the graph (recorded as external imports); our packages are followed. */
const externals: Plugin = {
  name: 'externals',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) => (args.path.startsWith('@t1c/') ? undefined : { path: args.path, external: true }));
  },
};

/** The import graph from these entry points, as esbuild resolves it (paths relative to the repository). */
async function graph(entryPoints: readonly string[]): Promise<Metafile> {
  const result = await build({
    absWorkingDir: root, entryPoints: [...entryPoints], bundle: true, write: false, metafile: true,
    platform: 'node', format: 'esm', outdir: 'out', logLevel: 'silent', plugins: [externals],
  });
  return result.metafile;
}

/** Every module `from` loads, static or dynamic imports alike, and the third-party packages among them. */
function closure(meta: Metafile, from: string): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const stack = [from];
  for (let path = stack.pop(); path !== undefined; path = stack.pop()) {
    const input = meta.inputs[path];
    if (files.has(path) || !input) continue;
    files.add(path);
    for (const imp of input.imports) {
      if (imp.external === true) packages.add(imp.path.split('/').slice(0, imp.path.startsWith('@') ? 2 : 1).join('/'));
      else stack.push(imp.path);
    }
  }
  return { files, packages };
}

function sourceFiles(dir: string): string[] {
  return readdirSync(join(root, dir)).flatMap((name) => {
    const path = join(dir, name);
    return statSync(join(root, path)).isDirectory() ? sourceFiles(path) : path.endsWith('.ts') ? [path] : [];
  });
}

/** The API process's own code: it reaches cards only through the IPC contract. */
const API_SIDE = [
  ...sourceFiles('packages/connector/src/api'),
  ...sourceFiles('packages/connector/src/wire'),
  ...sourceFiles('packages/connector/src/security'),
  ...sourceFiles('packages/connector/src/ipc'),
  'packages/connector/src/sandbox/client.ts',
  'packages/connector/src/sandbox/remote-card-service.ts',
  'packages/connector/src/sandbox/reader-ids.ts',
];

const KOFFI_FREE_ENTRIES = {
  '@t1c/smartcard': 'packages/smartcard/src/index.ts',
  '@t1c/smartcard/codec': 'packages/smartcard/src/codec/index.ts',
  '@t1c/smartcard/errors': 'packages/smartcard/src/errors.ts',
  '@t1c/smartcard/reader': 'packages/smartcard/src/reader/index.ts',
  '@t1c/smartcard/beid': 'packages/smartcard/src/beid/index.ts',
  '@t1c/smartcard/emv': 'packages/smartcard/src/emv/index.ts',
  'connector card modules': 'packages/connector/src/cards/index.ts',
  '@t1c/emulator': 'packages/emulator/src/index.ts',
  '@t1c/emulator/virtual-card': 'packages/emulator/src/virtual-card.ts',
};

/** The only API-side files that may load koffi: OS queries of the OS-user check, loaded lazily. */
const OS_QUERY_FILES = ['packages/connector/src/os/peer-user/windows-tcp-table.ts', 'packages/connector/src/os/peer-user/wine.ts', 'packages/connector/src/os/peer-user/windows-account-name.ts', 'packages/connector/src/registry/unix-peer-credentials.ts'];

/** Loads koffi (for its library), never the PC/SC binding. */
const PKCS11_ENTRY = 'packages/smartcard/src/pkcs11/index.ts';

describe('architecture: who may import what', () => {
  let meta: Metafile;
  before(async () => {
    meta = await graph([...API_SIDE, ...Object.values(KOFFI_FREE_ENTRIES), PKCS11_ENTRY, 'packages/connector/src/sandbox/server.ts']);
  });

  it('no API-side file names @t1c/smartcard or the sandbox\'s card code, not even for types', () => {
    const offenders = API_SIDE.filter((file) => /from '(@t1c\/smartcard[^']*|[./]*\/cards\/[^']*)'/.test(readFileSync(join(root, file), 'utf8')));
    assert.deepEqual(offenders, []);
  });

  it('nothing the API side loads at run time comes from @t1c/smartcard or the card modules; koffi only for OS queries', () => {
    for (const file of API_SIDE) {
      const { files } = closure(meta, file);
      const reached = [...files].filter((f) => f.startsWith('packages/smartcard/') || f.startsWith('packages/connector/src/cards/'));
      assert.deepEqual(reached, [], `${file} loads card code`);
      // The OS-user check needs the OS's own calls (Windows' TCP table, a Unix socket's peer
      // credentials); those files load koffi lazily, on the platform that needs it. Nothing else may.
      const koffiLoaders = [...files].filter((f) => meta.inputs[f]?.imports.some((i) => i.external === true && i.path === 'koffi'));
      assert.deepEqual(koffiLoaders.filter((f) => !OS_QUERY_FILES.includes(f)), [], `${file} loads koffi`);
    }
  });

  it('the IPC contract depends on zod only', () => {
    for (const file of sourceFiles('packages/connector/src/ipc')) {
      const { files, packages } = closure(meta, file);
      assert.deepEqual([...packages], [...packages].filter((p) => p === 'zod'), file);
      assert.deepEqual([...files].filter((f) => !f.startsWith('packages/connector/src/ipc/')), [], file);
    }
  });

  it('codecs, errors, readers, card modules and the emulator never load the PC/SC binding', () => {
    for (const [name, entry] of Object.entries(KOFFI_FREE_ENTRIES)) {
      const { files } = closure(meta, entry);
      assert.deepEqual([...files].filter((f) => f.startsWith('packages/smartcard/src/pcsc/')), [], `${name} loads PC/SC`);
    }
    assert.deepEqual([...closure(meta, PKCS11_ENTRY).files].filter((f) => f.startsWith('packages/smartcard/src/pcsc/')), [], '@t1c/smartcard/pkcs11 loads PC/SC');
    for (const name of ['@t1c/smartcard', '@t1c/smartcard/codec', '@t1c/smartcard/errors', '@t1c/smartcard/reader', '@t1c/smartcard/beid', '@t1c/smartcard/emv'] as const) {
      assert.ok(!closure(meta, KOFFI_FREE_ENTRIES[name]).packages.has('koffi'), `${name} loads koffi`);
    }
  });

  it('the emulator builds its cards from its own constants, not the reader\'s card module', () => {
    const files = sourceFiles('packages/emulator/src');
    const offenders = files.filter((file) => /from '@t1c\/smartcard\/(beid|emv|pcsc)'/.test(readFileSync(join(root, file), 'utf8')));
    assert.deepEqual(offenders, []);
    for (const entry of [KOFFI_FREE_ENTRIES['@t1c/emulator'], KOFFI_FREE_ENTRIES['@t1c/emulator/virtual-card']]) {
      const reached = [...closure(meta, entry).files].filter((f) => f.startsWith('packages/smartcard/src/beid/') || f.startsWith('packages/smartcard/src/emv/'));
      assert.deepEqual(reached, [], entry);
    }
  });

  it('the sandbox holds the card modules and is the only process side that loads PC/SC', () => {
    const { files } = closure(meta, 'packages/connector/src/sandbox/server.ts');
    assert.ok(files.has('packages/connector/src/cards/registry.ts'));
    assert.ok(files.has('packages/smartcard/src/pcsc/native.ts'));
  });
});
