import { Writable } from 'node:stream';

/**
 * Keeps the newest log lines (already redacted by pino) for `GET /logs/push`, and passes
 * everything on to the real destination.
 */
export class RecentLogs extends Writable {
  private readonly lines: string[] = [];
  private bytes = 0;

  constructor(private readonly next: NodeJS.WritableStream | undefined, private readonly maxBytes = 256 * 1024) {
    super();
  }

  override _write(chunk: Buffer | string, _encoding: BufferEncoding, done: (error?: Error | null) => void): void {
    const text = typeof chunk === 'string' ? chunk : chunk.toString('utf8');
    for (const line of text.split('\n')) {
      if (line.length === 0) continue;
      this.lines.push(line);
      this.bytes += line.length + 1;
    }
    while (this.bytes > this.maxBytes && this.lines.length > 0) this.bytes -= (this.lines.shift() ?? '').length + 1;
    if (!this.next) return done();
    this.next.write(chunk, (error) => done(error ?? null));
  }

  text(): string {
    return this.lines.map((l) => `${l}\n`).join('');
  }
}
