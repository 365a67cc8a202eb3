import { closeSync, fstatSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { Writable } from 'node:stream';

export interface RotatingLogFileOptions {
  /** Bytes a file may reach before it is rotated; default 5 MiB. */
  readonly maxBytes?: number;
  /** Rotated files kept beside the live one (`connector.log.1` newest); default 2. */
  readonly keep?: number;
}

/**
 * The connector's log where nobody reads stderr (Windows launcher, macOS LaunchAgent): one
 * live file under a fixed name, rotated by size into `<file>.1` … `<file>.<keep>`, so the
 * whole log stays under (keep + 1) × maxBytes. Not pino-roll: it numbers the live file and
 * needs a symlink for a stable name, which a Windows user cannot make. Writes are synchronous
 * (a few lines a minute at rest), so a line is on disk before the process can die.
 * Lines come from pino, already redacted; the files are the user's only (0600, folder 0700).
 */
export class RotatingLogFile extends Writable {
  private fd: number;
  private size: number;
  private readonly maxBytes: number;
  private readonly keep: number;

  constructor(readonly path: string, options: RotatingLogFileOptions = {}) {
    super();
    this.maxBytes = options.maxBytes ?? 5 * 1024 * 1024;
    this.keep = options.keep ?? 2;
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    this.fd = openSync(path, 'a', 0o600);
    this.size = fstatSync(this.fd).size;
  }

  /** Appends one line now, bypassing the stream queue: for a start failure just before exit. */
  appendLine(line: string): void {
    this.append(Buffer.from(line.endsWith('\n') ? line : `${line}\n`, 'utf8'));
  }

  override _write(chunk: Buffer | string, _encoding: BufferEncoding, done: (error?: Error | null) => void): void {
    try {
      this.append(typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk);
      done();
    } catch (error) {
      done(error instanceof Error ? error : new Error(String(error)));
    }
  }

  override _final(done: (error?: Error | null) => void): void {
    closeSync(this.fd);
    done();
  }

  private append(bytes: Buffer): void {
    if (this.size > 0 && this.size + bytes.length > this.maxBytes) this.rotate();
    writeSync(this.fd, bytes);
    this.size += bytes.length;
  }

  private rotate(): void {
    closeSync(this.fd);
    rmSync(`${this.path}.${this.keep}`, { force: true });
    for (let n = this.keep - 1; n >= 1; n--) {
      try {
        renameSync(`${this.path}.${n}`, `${this.path}.${n + 1}`);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      }
    }
    if (this.keep > 0) renameSync(this.path, `${this.path}.1`);
    else rmSync(this.path, { force: true });
    this.fd = openSync(this.path, 'a', 0o600);
    this.size = 0;
  }
}
