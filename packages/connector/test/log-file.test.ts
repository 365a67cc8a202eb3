import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { defaultLogFile } from '../src/config/paths.js';
import { RotatingLogFile } from '../src/logging/rotating-log-file.js';
import { logStartFailure } from '../src/logging/start-failure.js';

const dirs: string[] = [];
const scratch = (): string => {
  const dir = mkdtempSync(join(tmpdir(), 't1c-logfile-'));
  dirs.push(dir);
  return dir;
};
const write = (file: RotatingLogFile, line: string): Promise<void> =>
  new Promise((resolve, reject) => file.write(`${line}\n`, (error) => (error ? reject(error) : resolve())));
const ended = (file: RotatingLogFile): Promise<void> => new Promise((resolve) => file.end(resolve));

describe('log file for a connector nobody watches', () => {
  after(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('defaults: %LOCALAPPDATA%\\t1c\\logs, ~/Library/Logs/t1c, the XDG state directory', () => {
    assert.equal(defaultLogFile({ LOCALAPPDATA: 'C:\\L' }, 'win32', 'C:\\Users\\a'), join('C:\\L', 't1c', 'logs', 'connector.log'));
    assert.equal(defaultLogFile({}, 'darwin', '/Users/a'), '/Users/a/Library/Logs/t1c/connector.log');
    assert.equal(defaultLogFile({}, 'linux', '/home/a'), '/home/a/.local/state/t1c/logs/connector.log');
    assert.equal(defaultLogFile({ XDG_STATE_HOME: '/s' }, 'linux', '/home/a'), '/s/t1c/logs/connector.log');
    assert.equal(defaultLogFile({ XDG_STATE_HOME: 'relative' }, 'linux', '/home/a'), '/home/a/.local/state/t1c/logs/connector.log');
  });

  it('appends to an existing log, makes a private folder and file, and rotates by size keeping two old files', async () => {
    const path = join(scratch(), 'logs', 'connector.log');
    const first = new RotatingLogFile(path, { maxBytes: 100, keep: 2 });
    await write(first, 'start 1');
    await ended(first);
    assert.equal(statSync(join(path, '..')).mode & 0o777, 0o700);
    assert.equal(statSync(path).mode & 0o777, 0o600);

    const file = new RotatingLogFile(path, { maxBytes: 100, keep: 2 });
    await write(file, 'start 2');
    assert.equal(readFileSync(path, 'utf8'), 'start 1\nstart 2\n', 'a restart appends');
    for (let i = 0; i < 20; i++) await write(file, `line ${String(i).padStart(2, '0')} ${'x'.repeat(30)}`);
    await ended(file);
    const live = readFileSync(path, 'utf8');
    assert.match(live, /line 19/);
    assert.ok(statSync(path).size <= 100);
    assert.ok(statSync(`${path}.1`).size <= 100 && statSync(`${path}.2`).size <= 100);
    assert.equal(existsSync(`${path}.3`), false, 'no more than two old files');
    assert.match(readFileSync(`${path}.1`, 'utf8'), /line 1[4-7]/, '.1 is the newest old file');
    assert.doesNotMatch(readFileSync(`${path}.2`, 'utf8'), /start 1/, 'the oldest lines are gone');
  });

  it('a line longer than the cap still goes in (alone in its file)', async () => {
    const path = join(scratch(), 'connector.log');
    const file = new RotatingLogFile(path, { maxBytes: 10, keep: 1 });
    await write(file, 'short');
    await write(file, 'a line far longer than ten bytes');
    await ended(file);
    assert.equal(readFileSync(path, 'utf8'), 'a line far longer than ten bytes\n');
    assert.equal(readFileSync(`${path}.1`, 'utf8'), 'short\n');
  });

  it('a start failure is one fatal pino line; an unwritable log path does not throw', () => {
    const dir = scratch();
    const path = join(dir, 'connector.log');
    logStartFailure(path, new Error('invalid settings: port: too big'));
    const line = JSON.parse(readFileSync(path, 'utf8')) as { level: number; msg: string };
    assert.equal(line.level, 60);
    assert.equal(line.msg, 't1c api could not start: invalid settings: port: too big');
    writeFileSync(join(dir, 'file'), '');
    assert.doesNotThrow(() => logStartFailure(join(dir, 'file', 'connector.log'), new Error('x')));
  });
});
