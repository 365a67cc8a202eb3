import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Metafile } from 'esbuild';
import { bundleDesktop } from '../../../packaging/desktop/bundle.mjs';
import { loadReport } from '../../../packaging/desktop/load-report.mjs';

/** Inputs the desktop program must never carry: DS server code, databases, demo, tsx, test code. */
const FORBIDDEN: readonly [string, RegExp][] = [
  ['DS HTTP server', /^packages\/ds\/src\/http\//],
  ['DS store', /^packages\/ds\/src\/store\//],
  ['DS admin', /^packages\/ds\/src\/admin\//],
  ['DS JWT signer', /^packages\/ds\/src\/jwt\//],
  ['DS server/CLI', /^packages\/ds\/src\/(server|cli|index)\.ts$/],
  ['demo', /^packages\/demo\//],
  ['tsx', /(^|\/)node_modules\/tsx\//],
  ['esbuild', /(^|\/)node_modules\/esbuild\//],
  ['pglite', /(^|\/)node_modules\/@electric-sql\/pglite\//],
  ['pg', /(^|\/)node_modules\/(pg|pg-[a-z-]+|pgpass)\//],
  ['test code', /^packages\/[^/]+\/test\//],
  ['pcscd test harness', /^packages\/emulator\/src\/testing\//],
  ['vpcd link', /^packages\/emulator\/src\/vpcd\//],
  ['emulator CLI', /^packages\/connector\/src\/cli\/(emulator|start)-command/],
  ['all-in-one start', /^packages\/connector\/src\/start\//],
];

/** Every input reachable from `from` by static imports (what runs when that module loads). */
function staticClosure(meta: Metafile, from: string): Set<string> {
  const seen = new Set<string>();
  const stack = [from];
  for (let path = stack.pop(); path !== undefined; path = stack.pop()) {
    const input = meta.inputs[path];
    if (seen.has(path) || !input) continue;
    seen.add(path);
    for (const imp of input.imports) if (imp.kind !== 'dynamic-import' && imp.external !== true) stack.push(imp.path);
  }
  return seen;
}

describe('desktop bundle (esbuild metafile)', () => {
  let dir: string;
  let meta: Metafile;
  let inputs: string[];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 't1c-bundle-'));
    meta = await bundleDesktop({ outfile: join(dir, 't1c.cjs') });
    inputs = Object.keys(meta.inputs);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('is one CommonJS file holding the API, the sandbox, the card, cert and doctor commands and the virtual card', () => {
    assert.deepEqual(Object.keys(meta.outputs).length, 1);
    assert.ok(statSync(join(dir, 't1c.cjs')).size > 0);
    for (const wanted of [
      'packages/connector/src/api/start.ts', 'packages/connector/src/sandbox/server.ts',
      'packages/connector/src/cli/card-commands.ts', 'packages/connector/src/cli/cert-commands.ts',
      'packages/emulator/src/virtual-card.ts', 'packages/smartcard/src/pcsc/native.ts',
      'packages/ds/src/client/device-client.ts',
      'packages/connector/src/cli/doctor-command.ts', 'packages/connector/src/doctor/checks/dnssec.ts', 'node_modules/dns-packet/index.js',
    ]) assert.ok(inputs.includes(wanted), `${wanted} is in the bundle`);
  });

  it('carries no DS server, database, demo, tsx, emulator harness or test code', () => {
    const found = inputs.flatMap((path) => FORBIDDEN.filter(([, re]) => re.test(path)).map(([what]) => `${what}: ${path}`));
    assert.deepEqual(found, []);
  });

  it('loads the virtual card only when asked for, and koffi only on first PC/SC use', () => {
    const main = 'packages/connector/src/desktop/main.ts';
    for (const root of [main, 'packages/connector/src/api/start.ts', 'packages/connector/src/sandbox/server.ts']) {
      const closure = staticClosure(meta, root);
      assert.ok(![...closure].some((p) => p.startsWith('packages/emulator/')), `${root} does not load the emulator eagerly`);
    }
    // koffi's own loader is reached only through the lazy stand-in (a require on first use), and
    // its binary finder is the executable's hash-checked loader.
    const importers = (path: string): string[] => inputs.filter((i) => meta.inputs[i]?.imports.some((imp) => imp.path === path));
    assert.deepEqual(importers('node_modules/koffi/index.cjs'), ['t1c-koffi:koffi-lazy']);
    assert.deepEqual(importers('packages/connector/src/desktop/koffi-addon.ts'), ['node_modules/koffi/src/koffi/src/static.cjs']);
    assert.ok(!inputs.some((p) => /node_modules\/@koromix\//.test(p)), 'no host-specific koffi binary package is bundled');
    const report = loadReport(meta);
    assert.ok((report['start-up (every command)'] ?? Infinity) < (report['api (process)'] ?? 0));
  });
});
