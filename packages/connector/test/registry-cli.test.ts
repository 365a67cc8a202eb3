import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { runCli, T1C_BIN } from './helpers/run-cli.js';

describe('t1c registry and t1c api --registry on the command line', () => {
  it('t1c registry --help names the modes, the socket and the agent ports; t1c api --help names --registry', async () => {
    const help = await runCli(['registry', '--help']);
    assert.equal(help.code, 0, help.stderr);
    for (const word of ['--mode', 'ours', 'optional-consent', 'consent', '--socket', '--channel-port', '51984', '--agent-ports', '52100-52299']) assert.ok(help.stdout.includes(word), word);
    assert.match((await runCli(['api', '--help'])).stdout, /--registry \[socket\][^]*127\.0\.0\.1:PORT/);
  });
  it('bad flags stop the start with a message naming them, and nothing is left behind', async () => {
    const dir = mkdtempSync(join(tmpdir(), 't1c-registry-cli-'));
    try {
      const socket = join(dir, 'sock', 'r.sock');
      const mode = await runCli(['registry', '--mode', 'everyone', '--socket', socket]);
      assert.notEqual(mode.code, 0);
      assert.match(mode.stderr, /everyone/);
      const ports = await runCli(['registry', '--agent-ports', '60000-50000', '--socket', socket]);
      assert.notEqual(ports.code, 0);
      assert.match(ports.stderr, /agent ports: expected FROM-TO/);
      const origin = await runCli(['registry', '--allow-origin', 'https://*.github.io', '--port', '0', '--socket', socket]);
      assert.notEqual(origin.code, 0);
      assert.match(origin.stderr, /allowed origins/);
      const halfTls = await runCli(['registry', '--port', '0', '--socket', socket, '--tls-cert', join(dir, 'cert.pem')]);
      assert.notEqual(halfTls.code, 0);
      assert.match(halfTls.stderr, /--tls-cert and --tls-key go together/);
      const missingTls = await runCli(['registry', '--port', '0', '--socket', socket, '--tls-cert', join(dir, 'cert.pem'), '--tls-key', join(dir, 'key.pem')]);
      assert.notEqual(missingTls.code, 0);
      assert.match(missingTls.stderr, /--tls-cert .*cert\.pem .*ENOENT/);
      writeFileSync(join(dir, 'cert.pem'), 'not a certificate');
      writeFileSync(join(dir, 'key.pem'), 'not a key');
      const badTls = await runCli(['registry', '--port', '0', '--socket', socket, '--tls-cert', join(dir, 'cert.pem'), '--tls-key', join(dir, 'key.pem')]);
      assert.notEqual(badTls.code, 0);
      assert.match(badTls.stderr, /--tls-cert .*cert\.pem/);
      // Something that is not a socket at the socket path is never removed.
      writeFileSync(join(dir, 'file'), 'keep');
      const notSocket = await runCli(['registry', '--port', '0', '--socket', join(dir, 'file')]);
      assert.notEqual(notSocket.code, 0);
      assert.match(notSocket.stderr, /exists and is not a socket/);
      assert.equal(readFileSync(join(dir, 'file'), 'utf8'), 'keep');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('--log-file: the Registry logs to the file (a service has no stdout), and a failed start says why there', async () => {
    const dir = mkdtempSync(join(tmpdir(), 't1c-registry-log-'));
    const log = join(dir, 'logs', 'registry.log');
    const child = spawn(process.execPath, [T1C_BIN, 'registry', '--port', '0', '--socket', join(dir, 'r.sock'), '--log-file', log], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      let stderr = '';
      let stdout = '';
      child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      await new Promise<void>((resolve, reject) => {
        child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); if (/t1c registry listening on/.test(stderr)) resolve(); });
        void exited.then((code) => reject(new Error(`t1c registry exited with ${String(code)}: ${stderr}`)));
      });
      for (let i = 0; i < 100 && !(existsSync(log) && /Server listening at/.test(readFileSync(log, 'utf8'))); i++) await new Promise((r) => setTimeout(r, 50));
      assert.match(readFileSync(log, 'utf8'), /Server listening at http:\/\/127\.0\.0\.1:\d+/);
      assert.equal(stdout, '', 'nothing on stdout');
      child.kill('SIGTERM');
      assert.equal(await exited, 0);

      const failed = await runCli(['registry', '--port', '0', '--socket', join(dir, 'r.sock'), '--allow-origin', 'https://*.github.io', '--log-file', log]);
      assert.notEqual(failed.code, 0);
      assert.match(readFileSync(log, 'utf8'), /"level":60,.*"msg":"t1c registry could not start: .*allowed origins/);
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('SIGTERM sent the moment the "listening on" line is read stops it cleanly (exit 0), every time', async () => {
    // The line is the signal a supervisor or test acts on: the stop handlers must be in place
    // before it is written, or the default action ends the process (exit by SIGTERM).
    const dir = mkdtempSync(join(tmpdir(), 't1c-registry-stop-'));
    try {
      for (let round = 0; round < 10; round++) {
        const child = spawn(process.execPath, [T1C_BIN, 'registry', '--port', '0', '--socket', join(dir, `r${round}.sock`)], { stdio: ['ignore', 'ignore', 'pipe'] });
        const exited = new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.once('exit', (code, signal) => resolve([code, signal])));
        try {
          let stderr = '';
          await new Promise<void>((resolve, reject) => {
            child.stderr.on('data', (d: Buffer) => {
              stderr += d.toString();
              if (/t1c registry listening on/.test(stderr)) {
                child.kill('SIGTERM');
                resolve();
              }
            });
            void exited.then(() => reject(new Error(`t1c registry ended before it listened: ${stderr}`)));
          });
          assert.deepEqual(await exited, [0, null], `round ${round}`);
        } finally {
          if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
        }
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
