import type { BeidReadout, BeidSigningKey, DigestAlgorithm } from '@t1c/smartcard/beid';
import type { PinInput, ReaderInfo } from '../cards/index.js';
import { T1CError } from '../api/errors.js';
import { ReaderIds } from './reader-ids.js';
import { readersResultSchema, readoutSchema, signatureResultSchema } from './protocol.js';
import type { SandboxClient } from './client.js';

const LIST_TIMEOUT_MS = 15_000;
const READ_TIMEOUT_MS = 60_000;
/** A pinpad waits for the person at the desk. */
const PIN_TIMEOUT_MS = 120_000;

function checked<T>(schema: { safeParse(v: unknown): { success: true; data: T } | { success: false } }, value: unknown): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new T1CError('INTERNAL', 'The card service sent a malformed answer');
  return parsed.data;
}

/** Card operations as the API process sees them: each one a typed call into the sandbox. */
export class RemoteCardService {
  private readonly ids = new ReaderIds();

  /** `onReaders` sees every fresh listing: state tied to a card insertion is dropped there. */
  constructor(private readonly client: SandboxClient, private readonly onReaders: (readers: readonly ReaderInfo[]) => void = () => undefined) {}

  private listing: Promise<{ readers: ReaderInfo[]; pcsc: 'up' | 'down' | 'off' }> | undefined;

  /** Concurrent callers share one sandbox listing: 1,000 pages polling cost one PC/SC query. */
  listReaders(): Promise<{ readers: ReaderInfo[]; pcsc: 'up' | 'down' | 'off' }> {
    this.listing ??= this.fetchReaders().finally(() => {
      this.listing = undefined;
    });
    return this.listing;
  }

  private async fetchReaders(): Promise<{ readers: ReaderInfo[]; pcsc: 'up' | 'down' | 'off' }> {
    const result = checked(readersResultSchema, await this.client.call({ method: 'listReaders' }, LIST_TIMEOUT_MS));
    this.client.pcsc = result.pcsc;
    const readers = this.ids.update(result.readers);
    this.onReaders(readers);
    return { readers, pcsc: result.pcsc };
  }

  isListed(readerId: string): boolean {
    return this.ids.has(readerId);
  }

  /** Public id → the sandbox's id; routes list readers first, so a restarted sandbox's ids are known. */
  private sandboxId(readerId: string): string {
    return this.ids.toSandbox(readerId);
  }

  async readBeid(readerId: string): Promise<BeidReadout> {
    const raw = await this.client.call({ method: 'readBeid', readerId: this.sandboxId(readerId) }, READ_TIMEOUT_MS);
    checked(readoutSchema, raw);
    // The schema checked every field the wire mapping reads; the rest is passed through.
    return raw as BeidReadout;
  }

  async verifyBeidPin(readerId: string, pin: PinInput): Promise<void> {
    await this.client.call({ method: 'verifyBeidPin', readerId: this.sandboxId(readerId), pin }, PIN_TIMEOUT_MS);
  }

  async signBeid(readerId: string, input: { key: BeidSigningKey; algorithm: DigestAlgorithm; digest: Uint8Array; pin?: PinInput }): Promise<Uint8Array> {
    const result = checked(signatureResultSchema, await this.client.call({ method: 'signBeid', ...input, readerId: this.sandboxId(readerId) }, PIN_TIMEOUT_MS));
    return result.signature;
  }
}
