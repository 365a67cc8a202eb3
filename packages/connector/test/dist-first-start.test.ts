import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, before, beforeEach, describe, it } from 'node:test';
import { ensureExecutables, ExeApi } from './helpers/dist-exe.js';

/** Every descendant PID of `pid` (the executable under `script`, and its sandbox). */
function descendants(pid: number): number[] {
  const out: number[] = [];
  const stack = [pid];
  for (let p = stack.pop(); p !== undefined; p = stack.pop()) {
    let children: number[] = [];
    try {
      children = readdirSync(`/proc/${p}/task`).flatMap((t) => readFileSync(`/proc/${p}/task/${t}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number));
    } catch {
      children = [];
    }
    out.push(...children);
    stack.push(...children);
  }
  return out;
}

/** `<exe> api --local-ca` on a terminal (util-linux `script` gives it a pty), answering the trust question. */
async function startOnTerminal(exe: string, home: string, answer: string): Promise<{ child: ChildProcess; output: () => string; stop: () => Promise<void> }> {
  const command = `'${exe}' api --local-ca --port 0 --no-jwt --no-pcsc --log-level warn`;
  const child = spawn('script', ['-qfec', command, '/dev/null'], { env: { ...process.env, HOME: home, XDG_DATA_HOME: '', T1C_DATA_DIR: '' }, stdio: ['pipe', 'pipe', 'pipe'] });
  let text = '';
  child.stdout?.on('data', (d: Buffer) => { text += d.toString(); });
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    const api = descendants(child.pid ?? 0)[0];
    if (api !== undefined) process.kill(api, 'SIGTERM');
    else child.kill('SIGTERM');
    await exited;
  };
  const asked = await new Promise<boolean>((resolve) => {
    let polls = 0;
    const timer = setInterval(() => {
      const prompted = /\[y\/N\]/.test(text);
      // Bounded, so a program that never asks fails the test instead of hanging it.
      if (prompted || polls++ > 600 || child.exitCode !== null) {
        clearInterval(timer);
        resolve(prompted);
      }
    }, 50);
  });
  if (!asked) {
    await stop();
    throw new Error(`no trust question on the terminal: ${text}`);
  }
  child.stdin?.write(`${answer}\r`);
  return { child, output: () => text, stop };
}

const until = async (what: () => boolean, label: string): Promise<void> => {
  for (let i = 0; i < 200 && !what(); i++) await new Promise((resolve) => setTimeout(resolve, 50));
  assert.ok(what(), label);
};

describe('first start of the installed connector (local-CA transport)', () => {
  let exe: string;
  let home: string;
  const dataDir = (): string => join(home, '.local', 'share', 't1c');
  const env = (): NodeJS.ProcessEnv => ({ HOME: home, XDG_DATA_HOME: '', XDG_CONFIG_HOME: '', T1C_DATA_DIR: '' });

  before(async () => {
    exe = (await ensureExecutables(['linux-x64']))['linux-x64'] ?? '';
  });
  beforeEach(() => {
    home = mkdtempSync(join(tmpdir(), 't1c-first-start-'));
  });
  afterEach(() => rmSync(home, { recursive: true, force: true }));

  it('without a terminal (started at login) makes the device key and CA, prints the trust command and changes no trust store', async () => {
    const api = await ExeApi.start(exe, ['--local-ca', '--no-jwt', '--no-pcsc'], env());
    try {
      await until(() => api.stderr.includes('cert install'), 'the offer is printed');
    } finally {
      await api.stop();
    }
    assert.ok(existsSync(join(dataDir(), 'device-key.pem')));
    assert.ok(existsSync(join(dataDir(), 'tls', 'ca.pem')));
    assert.ok(api.stderr.includes(`${exe} cert install`), api.stderr);
    assert.ok(api.stderr.includes(join(dataDir(), 'tls', 'ca.pem')));
    assert.equal(existsSync(join(home, '.pki')), false, 'no NSS database was made or changed');

    const again = await ExeApi.start(exe, ['--local-ca', '--no-jwt', '--no-pcsc'], env());
    await again.stop();
    assert.ok(!again.stderr.includes('cert install'), 'an existing CA is not offered again');
  });

  it('on a terminal asks, and "no" (the default) changes no trust store', async () => {
    const run = await startOnTerminal(exe, home, '');
    try {
      await until(() => run.output().includes('not installed'), 'the refusal is acknowledged');
    } finally {
      await run.stop();
    }
    assert.equal(existsSync(join(home, '.pki')), false);
  });

  it('on a terminal asks, and "y" installs the CA in the user\'s NSS database', async () => {
    const run = await startOnTerminal(exe, home, 'y');
    try {
      await until(() => /ok +Chrome\/Chromium \(NSS\)/.test(run.output()), `installed: ${run.output()}`);
    } finally {
      await run.stop();
    }
    const listed = spawnSync('certutil', ['-d', `sql:${join(home, '.pki', 'nssdb')}`, '-L'], { encoding: 'utf8' });
    assert.match(listed.stdout, /T1C/);
  });
});
