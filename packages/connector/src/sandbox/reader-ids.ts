import { createHash, randomBytes } from 'node:crypto';
import type { ReaderInfo } from '../ipc/index.js';

/**
 * Reader ids as pages see them, owned by the API process so they survive a sandbox restart:
 * stable while a reader stays listed, new after it is unplugged and plugged in again.
 */
export class ReaderIds {
  private readonly salt = randomBytes(16);
  private counter = 0;
  /** PC/SC name → { public id, the sandbox's current id }. */
  private readonly byName = new Map<string, { id: string; sandboxId: string }>();

  /** Rewrites a fresh sandbox listing to public ids and forgets readers that are gone. */
  update(readers: readonly ReaderInfo[]): ReaderInfo[] {
    const names = new Set(readers.map((r) => r.name));
    for (const name of [...this.byName.keys()]) if (!names.has(name)) this.byName.delete(name);
    return readers.map((reader) => {
      let entry = this.byName.get(reader.name);
      if (!entry) {
        const id = createHash('sha256').update(this.salt).update(`${reader.name}\0${++this.counter}`).digest('hex').slice(0, 16);
        entry = { id, sandboxId: reader.id };
        this.byName.set(reader.name, entry);
      }
      entry.sandboxId = reader.id;
      return { ...reader, id: entry.id };
    });
  }

  /** True when the last listing gave this public id. */
  has(publicId: string): boolean {
    return this.entry(publicId) !== undefined;
  }

  /** The sandbox's id for a public id, or the input unchanged (the sandbox then says "unknown"). */
  toSandbox(publicId: string): string {
    return this.entry(publicId)?.sandboxId ?? publicId;
  }

  private entry(publicId: string): { id: string; sandboxId: string } | undefined {
    for (const entry of this.byName.values()) if (entry.id === publicId) return entry;
    return undefined;
  }
}
