import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { build } from 'esbuild';
import { koffiBinary, nodeBinary } from '../../../packaging/runtimes.mjs';
import { ROOT } from './helpers/dist-exe.js';
import { WinePrefix } from './helpers/wine.js';

const PROBE = fileURLToPath(new URL('./helpers/windows-api-probe.ts', import.meta.url));
const windowsPath = (path: string): string => `Z:${path.replace(/\//g, '\\')}`;

interface ProbeResult {
  error?: string;
  pid: number;
  rows: number;
  listenerPid?: number;
  sid?: string;
  missing: string | null;
  fromProcessList?: string;
  name?: string;
  listener?: string;
  client?: string;
  current: string;
}

/**
 * The Win32 side of the OS-user check (GetExtendedTcpTable, OpenProcessToken, the
 * WTSEnumerateProcessesW fallback, LookupAccountSidW) is never reached by the Wine tests of the
 * executable, which read the Linux socket table instead. Here it runs for real: the koffi
 * prototypes are parsed and called by the pinned Windows Node under Wine, so a typo in one
 * cannot first show on a customer's Windows (where it would stop every `t1c api`).
 */
describe('the Win32 calls of the OS-user check, under Wine with the pinned Windows Node', { timeout: 600_000 }, () => {
  let wine: WinePrefix;
  let dir: string;
  let result: ProbeResult;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 't1c-winapi-'));
    const cache = join(ROOT, 'dist', '.cache');
    const node = nodeBinary(ROOT, cache, 'win-x64');
    const koffiNode = koffiBinary(ROOT, cache, 'win-x64');
    const require = createRequire(join(ROOT, 'packages', 'connector', 'package.json'));
    const koffiIndex = require.resolve('koffi');
    await build({
      entryPoints: [PROBE], outfile: join(dir, 'probe.cjs'), bundle: true, platform: 'node', format: 'cjs', target: 'node22', logLevel: 'warning',
      plugins: [{
        name: 'koffi-windows-binary',
        setup(b) {
          b.onResolve({ filter: /^koffi$/ }, () => ({ path: koffiIndex }));
          // koffi's own finder would look for a binary beside its JavaScript: load the pinned Windows one.
          b.onLoad({ filter: /[\\/]koffi[\\/]src[\\/]koffi[\\/]src[\\/]static\.cjs$/ }, () => ({
            loader: 'js',
            contents: `module.exports = { loadStatic: () => { const m = { exports: {} }; process.dlopen(m, ${JSON.stringify(windowsPath(koffiNode))}); return m.exports; } };`,
          }));
        },
      }],
    });
    wine = WinePrefix.create();
    const out = join(dir, 'result.json');
    const p = wine.start([node, windowsPath(join(dir, 'probe.cjs')), windowsPath(out)], join(dir, 'probe.log'));
    const code = await p.exited();
    const text = (() => { try { return readFileSync(out, 'utf8'); } catch { return '{}'; } })();
    result = JSON.parse(text) as ProbeResult;
    assert.equal(code, 0, `${text}\n${p.log()}`);
  });
  after(() => {
    wine?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('loads every prototype and reads the TCP table', () => {
    assert.equal(result.error, undefined);
    assert.ok(result.rows > 0, JSON.stringify(result));
  });
  it('names this process\'s user by its token: a SID string, and its account name', () => {
    assert.match(result.sid ?? '', /^S-1-5-21-\d+-\d+-\d+-\d+$/, JSON.stringify(result));
    assert.equal(result.current, result.sid);
    assert.match(result.name ?? '', /\\/, 'DOMAIN\\name');
  });
  it('the process list (the fallback for a token closed to us) names the same user; a PID with no process is nobody', () => {
    assert.equal(result.fromProcessList, result.sid, JSON.stringify(result));
    assert.equal(result.missing, null);
  });
  it('the client end of a loopback connection is this user (the row the agent and the Registry ask about)', () => {
    assert.equal(result.client, result.sid, JSON.stringify(result));
  });
  it('a listening row Wine 8 reports with PID 0 names nobody: unknown, never trusted', () => {
    // Windows gives a listener's PID; Wine 8 gives 0 for listeners. Either way no guess is made.
    if (result.listenerPid === result.pid) assert.equal(result.listener, result.sid);
    else {
      assert.equal(result.listenerPid, 0, JSON.stringify(result));
      assert.equal(result.listener, undefined);
    }
  });
});
