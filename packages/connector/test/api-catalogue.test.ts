import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CATALOGUE, SANDBOX_ERRORS, toT1CError } from '../src/api/errors.js';
import { CARD_ERROR_CODES, CONTRACT_ERROR_CODES, SandboxError, type SandboxErrorCode } from '../src/ipc/index.js';
import { loadSettings } from '../src/config/load.js';
import { defaultUserDirs } from '../src/config/paths.js';
import { dialogCommand } from '../src/os/pin-dialog.js';

describe('error catalogue', () => {
  it('every code has six digits and a description; codes are unique except the SDK catch-all', () => {
    const seen = new Map<string, string>();
    for (const [key, entry] of Object.entries(CATALOGUE)) {
      assert.match(entry.code, /^\d{6}$/, key);
      assert.ok(entry.description.length > 0, key);
      if (entry.code !== '112999') {
        assert.equal(seen.get(entry.code), undefined, `${key} reuses ${entry.code}`);
        seen.set(entry.code, key);
      }
    }
  });
  it('401 only for the JWT, 404 only for unknown routes', () => {
    for (const [key, entry] of Object.entries(CATALOGUE)) {
      if (entry.status === 401) assert.equal(key, 'JWT_INVALID');
      if (entry.status === 404) assert.equal(key, 'NOT_FOUND');
    }
  });
  it('maps every code the card service may answer with; card errors are never 401/404', () => {
    const codes: readonly SandboxErrorCode[] = [...CARD_ERROR_CODES, ...CONTRACT_ERROR_CODES];
    assert.deepEqual(Object.keys(SANDBOX_ERRORS).sort(), [...codes].sort());
    for (const code of codes) {
      const error = toT1CError(new SandboxError(code, 'x'));
      assert.equal(error.key, SANDBOX_ERRORS[code]);
      assert.ok(![401, 404].includes(error.status), code);
    }
    assert.equal(toT1CError(new SandboxError('PIN_INCORRECT', 'x', { triesLeft: 1 })).description, 'Wrong PIN, 1 tries left');
    assert.equal(toT1CError(new Error('boom')).code, '112999');
  });
});

describe('configuration', () => {
  it('precedence flags > env > file > defaults', async () => {
    const { mkdtempSync, writeFileSync, rmSync } = await import('node:fs');
    const dir = mkdtempSync('/tmp/t1c-cfg-');
    try {
      writeFileSync(`${dir}/c.json`, JSON.stringify({ port: 1111, allowOrigins: ['https://file.example'], logLevel: 'warn', transport: 'http' }));
      const env = { T1C_PORT: '2222', T1C_ALLOW_ORIGINS: 'https://env.example, https://*.env.example', T1C_DATA_DIR: dir };
      const s = loadSettings({ configFile: `${dir}/c.json`, env, flags: { port: 3333 } });
      assert.equal(s.port, 3333);
      assert.deepEqual(s.allowOrigins, ['https://env.example', 'https://*.env.example']);
      assert.equal(s.logLevel, 'warn');
      assert.equal(s.transport, 'http');
      assert.equal(s.jwt, true);
      assert.equal(s.dataDir, dir);
      writeFileSync(`${dir}/bad.json`, JSON.stringify({ prot: 1 }));
      assert.throws(() => loadSettings({ configFile: `${dir}/bad.json`, env }), /prot/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
  it('per-user directories follow each OS convention', () => {
    assert.deepEqual(defaultUserDirs({}, 'linux', '/home/a'), { dataDir: '/home/a/.local/share/t1c', configDir: '/home/a/.config/t1c' });
    assert.deepEqual(defaultUserDirs({ XDG_DATA_HOME: '/x', XDG_CONFIG_HOME: '/y' }, 'linux', '/home/a'), { dataDir: '/x/t1c', configDir: '/y/t1c' });
    assert.equal(defaultUserDirs({}, 'darwin', '/Users/a').dataDir, '/Users/a/Library/Application Support/t1c');
    assert.deepEqual(defaultUserDirs({ APPDATA: 'C:\\R', LOCALAPPDATA: 'C:\\L' }, 'win32', 'C:\\Users\\a'), { dataDir: 'C:\\L/t1c', configDir: 'C:\\R/t1c' });
  });
});

describe('native PIN dialog commands', () => {
  it('macOS osascript with a hidden answer, Windows PowerShell Get-Credential, none on Linux without a display', () => {
    const mac = dialogCommand('darwin', {});
    assert.equal(mac?.command, 'osascript');
    assert.match(mac?.args.join(' ') ?? '', /with hidden answer/);
    const win = dialogCommand('win32', {});
    assert.equal(win?.command, 'powershell.exe');
    assert.match(win?.args.join(' ') ?? '', /Get-Credential/);
    assert.equal(dialogCommand('linux', { PATH: '/usr/bin' }), undefined);
    assert.match(dialogCommand('linux', { PATH: '/usr/bin', DISPLAY: ':9' })?.command ?? '', /zenity$/);
  });
});
