import { T1CError } from '../api/errors.js';
import { lookupOp, SandboxError, type ModuleName, type OpArgs, type OpName, type OpResult, type PcscState, type ReaderInfo } from '../ipc/index.js';
import { ReaderIds } from './reader-ids.js';
import type { SandboxClient } from './client.js';

/** Card operations as the API process sees them: each one a contract op sent to the sandbox. */
export class RemoteCardService {
  private readonly ids = new ReaderIds();

  /** `onReaders` sees every fresh listing: state tied to a card insertion is dropped there. */
  constructor(private readonly client: SandboxClient, private readonly onReaders: (readers: readonly ReaderInfo[]) => void = () => undefined) {}

  private listing: Promise<{ readers: ReaderInfo[]; pcsc: PcscState }> | undefined;

  /** Concurrent callers share one sandbox listing: 1,000 pages polling cost one PC/SC query. */
  listReaders(): Promise<{ readers: ReaderInfo[]; pcsc: PcscState }> {
    this.listing ??= this.fetchReaders().finally(() => {
      this.listing = undefined;
    });
    return this.listing;
  }

  private async fetchReaders(): Promise<{ readers: ReaderInfo[]; pcsc: PcscState }> {
    const result = await this.send('core', 'listReaders', null, {});
    this.client.pcsc = result.pcsc;
    const readers = this.ids.update(result.readers);
    this.onReaders(readers);
    return { readers, pcsc: result.pcsc };
  }

  isListed(readerId: string): boolean {
    return this.ids.has(readerId);
  }

  /**
   * One op of the contract on a reader's public id. A card op is sent straight to the sandbox,
   * whose own reader and card checks answer "no such reader", "no card" and "not this module's
   * card"; an id the last listing did not give is listed for once (never sent as it is), and a
   * reader the sandbox no longer knows under its id (the sandbox restarted) is listed again and
   * retried once under its new id. Args are checked before they leave, the result when it comes back.
   */
  async call<M extends ModuleName, O extends OpName<M>>(module: M, op: O, readerId: string | null, args: OpArgs<M, O>): Promise<OpResult<M, O>> {
    const found = lookupOp(module, op);
    if (readerId === null || 'missing' in found || found.spec.reader !== 'card') {
      return this.send(module, op, readerId === null ? null : this.ids.toSandbox(readerId), args);
    }
    if (!this.ids.has(readerId)) {
      await this.listReaders();
      if (!this.ids.has(readerId)) throw new T1CError('READER_UNKNOWN');
    }
    const sandboxId = this.ids.toSandbox(readerId);
    try {
      return await this.send(module, op, sandboxId, args);
    } catch (error) {
      // Refused before any card code ran, so sending again is safe.
      if (!(error instanceof SandboxError) || error.code !== 'PCSC_UNKNOWN_READER') throw error;
      await this.listReaders();
      if (!this.ids.has(readerId)) throw new T1CError('READER_UNKNOWN');
      const renamed = this.ids.toSandbox(readerId);
      if (renamed === sandboxId) throw error;
      return this.send(module, op, renamed, args);
    }
  }

  private async send<M extends ModuleName, O extends OpName<M>>(module: M, op: O, reader: string | null, args: OpArgs<M, O>): Promise<OpResult<M, O>> {
    const found = lookupOp(module, op);
    if ('missing' in found) throw new T1CError('INTERNAL');
    const { spec } = found;
    const sent = spec.args.safeParse(args);
    if (!sent.success) throw new T1CError('INTERNAL', 'The connector built a malformed card request');
    const raw = await this.client.call({ module, op, reader, args: sent.data }, spec.timeoutMs);
    const parsed = spec.result.safeParse(raw);
    if (!parsed.success) throw new T1CError('INTERNAL', 'The card service sent a malformed answer');
    // Checked against this very op's result schema just above.
    return parsed.data as OpResult<M, O>;
  }
}
