import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { spawn } from 'node:child_process';
import { runCli, T1C_BIN } from './helpers/run-cli.js';

describe('t1c api on a busy port', () => {
  let holder: Server;
  let port: number;
  let home: string;

  before(async () => {
    home = mkdtempSync(join(tmpdir(), 't1c-api-cli-'));
    holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    const address = holder.address();
    port = typeof address === 'object' && address ? address.port : 0;
  });
  after(async () => {
    await new Promise<void>((resolve) => holder.close(() => resolve()));
    rmSync(home, { recursive: true, force: true });
  });

  it('exits with one line naming the port instead of a stack trace', async () => {
    const result = await runCli(['api', '--http', '--no-jwt', '--no-pcsc', '--port', String(port), '--data-dir', join(home, 'data')], '', { HOME: home });
    assert.equal(result.code, 1);
    assert.equal(result.stderr, `t1c: t1c api cannot listen: port ${port} is already in use (another connector?). Choose another with --port, or stop the other one.\n`);
  });
});

describe('t1c api with a bad --allow-origin', () => {
  let home: string;
  before(() => { home = mkdtempSync(join(tmpdir(), 't1c-api-origin-')); });
  after(() => rmSync(home, { recursive: true, force: true }));

  for (const [pattern, reason] of [
    ['https://*.github.io', 'is a public suffix'],
    ['https://*.co.uk', 'is a public suffix'],
    ['https://example.org/path', 'is not an origin'],
  ] as const) {
    it(`refuses ${pattern} at start, naming why, and writes no data`, async () => {
      const data = join(home, 'data');
      const result = await runCli(['api', '--http', '--no-jwt', '--no-pcsc', '--port', '0', '--data-dir', data, '--allow-origin', 'https://ok.example.org', '--allow-origin', pattern], '', { HOME: home });
      assert.equal(result.code, 1);
      assert.match(result.stderr, new RegExp(`^t1c: allowed origins: .*${reason}`));
      assert.equal(existsSync(data), false);
    });
  }
});

describe('t1c api with nothing to check tokens with (a fresh install)', () => {
  let home: string;
  before(() => { home = mkdtempSync(join(tmpdir(), 't1c-api-unconfigured-')); });
  after(() => rmSync(home, { recursive: true, force: true }));

  it('keeps running, says so in its log, and refuses every request with 112013', async () => {
    const child = spawn(process.execPath, [T1C_BIN, 'api', '--http', '--no-pcsc', '--virtual-card', 'beid', '--port', '0', '--data-dir', join(home, 'data')],
      { env: { ...process.env, HOME: home }, stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      let stdout = '';
      child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
      const url = await new Promise<string>((resolve, reject) => {
        let stderr = '';
        child.stderr.on('data', (d: Buffer) => {
          stderr += d.toString();
          const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(stderr);
          if (m?.[1]) resolve(m[1]);
        });
        child.once('exit', (code) => reject(new Error(`exited with ${String(code)}: ${stderr}`)));
      });
      for (const path of ['/info', '/v3/readers']) {
        const response = await fetch(`${url}${path}`);
        assert.equal(response.status, 503, path);
        const body = await response.json() as { success: boolean; code: string; description: string };
        assert.equal(body.success, false);
        assert.equal(body.code, '112013', path);
        assert.match(body.description, /not configured/);
      }
      const withToken = await fetch(`${url}/v3/readers`, { headers: { authorization: 'Bearer a.b.c' } });
      assert.equal(withToken.status, 503, 'no token is accepted either');
      assert.match(stdout, /not configured: no Distribution Service/);
    } finally {
      child.kill('SIGTERM');
      if (child.exitCode === null) await new Promise((resolve) => child.once('exit', resolve));
    }
  });

  it('with --log-file (as the Windows launcher and the LaunchAgent start it) the warning goes to the default log file, not stdout', async () => {
    // Linux's default: the XDG state directory.
    const logFile = join(home, '.local', 'state', 't1c', 'logs', 'connector.log');
    const child = spawn(process.execPath, [T1C_BIN, 'api', '--http', '--no-pcsc', '--port', '0', '--data-dir', join(home, 'data'), '--log-file'],
      { env: { ...process.env, HOME: home, XDG_STATE_HOME: '' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    try {
      await new Promise<void>((resolve, reject) => {
        let stderr = '';
        child.stderr.on('data', (d: Buffer) => {
          stderr += d.toString();
          if (/listening on/.test(stderr)) resolve();
        });
        child.once('exit', (code) => reject(new Error(`exited with ${String(code)}: ${stderr}`)));
      });
      const lines = readFileSync(logFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { level: number; msg: string });
      assert.ok(lines.some((l) => l.level === 40 && /^not configured: no Distribution Service/.test(l.msg)), JSON.stringify(lines));
      assert.equal(statSync(logFile).mode & 0o777, 0o600);
      assert.equal(stdout, '', 'nothing on stdout');
    } finally {
      child.kill('SIGTERM');
      if (child.exitCode === null) await new Promise((resolve) => child.once('exit', resolve));
    }
  });
});
