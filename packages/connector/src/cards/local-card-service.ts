import type { ReaderBackend } from '@t1c/smartcard/reader';
import {
  isCardModuleName, lookupOp, SandboxError,
  type ModuleName, type OpArgs, type OpName, type OpResult, type OpTarget, type PcscState, type ReaderInfo,
} from '../ipc/index.js';
import { ReaderTracker } from './reader-tracker.js';
import { defaultRegistry, type CardModuleRegistry } from './registry.js';

export interface LocalCardServiceOptions {
  /** The card modules; default every module the connector ships. */
  readonly registry?: CardModuleRegistry;
  /** PC/SC health for listings; default 'off'. */
  readonly pcscState?: () => PcscState;
}

/**
 * The card service: runs the contract's ops on the card modules of its registry, over the
 * readers its tracker follows. Runs in the sandbox process (and `t1c card`); nothing here
 * knows about HTTP.
 */
export class LocalCardService {
  private readonly registry: CardModuleRegistry;
  private readonly readers: ReaderTracker;
  private readonly pcscState: () => PcscState;

  constructor(backends: readonly ReaderBackend[], options: LocalCardServiceOptions = {}) {
    this.registry = options.registry ?? defaultRegistry();
    this.readers = new ReaderTracker(backends, this.registry);
    this.pcscState = options.pcscState ?? (() => 'off');
    for (const module of this.registry.modules) {
      module.attach?.({
        connect: (readerId) => this.readers.connect(readerId),
        withReaderLock: (readerName, work) => this.readers.withReaderLock(readerName, work),
      });
    }
  }

  listReaders(): Promise<ReaderInfo[]> {
    return this.readers.listReaders();
  }

  /** Resolves when the reader list differs from the `known` one or after `timeoutMs`. */
  waitForReaderChange(known: readonly ReaderInfo[], timeoutMs: number): Promise<ReaderInfo[]> {
    return this.readers.waitForReaderChange(known, timeoutMs);
  }

  /**
   * One request of the contract, as it came over IPC: module and op looked up, args checked
   * against the op's schema, the handler run (on the card for 'card' ops), the result checked
   * against the schema the API will check it with.
   */
  async dispatch(request: { readonly module: string; readonly op: string; readonly reader: string | null; readonly args: unknown }): Promise<unknown> {
    const found = lookupOp(request.module, request.op);
    if ('missing' in found) {
      if (found.missing === 'module') throw new SandboxError('MODULE_UNKNOWN', `no card module named ${JSON.stringify(request.module.slice(0, 64))}`);
      throw new SandboxError('OP_UNKNOWN', `module ${request.module} has no op ${JSON.stringify(request.op.slice(0, 64))}`);
    }
    const { spec } = found;
    const args = spec.args.safeParse(request.args ?? {});
    if (!args.success) {
      // Paths only: a value may be a PIN.
      const fields = args.error.issues.map((i) => i.path.join('.') || 'args').join(', ');
      throw new SandboxError('ARGS_INVALID', `invalid arguments for ${request.module}.${request.op}: ${fields}`);
    }
    const result = await this.run(request.module, request.op, spec.reader, request.reader, args.data);
    const checked = spec.result.safeParse(result);
    if (!checked.success) throw new SandboxError('SANDBOX_INTERNAL', `${request.module}.${request.op} produced a result outside the contract`);
    return checked.data;
  }

  /** In-process form of dispatch (the CLI, tests): typed by the contract. */
  async call<M extends ModuleName, O extends OpName<M>>(module: M, op: O, reader: string | null, args: OpArgs<M, O>): Promise<OpResult<M, O>> {
    // dispatch checked the result against this very op's schema.
    return await this.dispatch({ module, op, reader, args }) as OpResult<M, O>;
  }

  private async run(moduleName: string, op: string, target: OpTarget, reader: string | null, args: unknown): Promise<unknown> {
    if (moduleName === 'core') {
      const handler = this.core[op as OpName<'core'>];
      return handler();
    }
    const module = isCardModuleName(moduleName) ? this.registry.module(moduleName) : undefined;
    if (!module) throw new SandboxError('MODULE_UNKNOWN', `the card service has no module ${moduleName}`);
    // The contract's schema for this module and op has just checked `args`.
    const handler = (module.ops as unknown as Readonly<Record<string, (...input: unknown[]) => Promise<unknown>>>)[op];
    if (!handler) throw new SandboxError('OP_UNKNOWN', `module ${moduleName} has no op ${op}`);
    if (target === 'none') return handler(args, reader);
    if (reader === null) throw new SandboxError('READER_REQUIRED', `${moduleName}.${op} needs a reader`);
    return this.readers.withCard(reader, module, (card) => handler(card, args));
  }

  private readonly core: { readonly [O in OpName<'core'>]: () => Promise<OpResult<'core', O>> } = {
    ping: async () => ({ pong: true }),
    listReaders: async () => ({ readers: await this.listReaders(), pcsc: this.pcscState() }),
    listAtrs: async () => this.registry.atrTable(),
  };

  async close(): Promise<void> {
    await this.registry.close();
    await this.readers.close();
  }
}
