import type { AtrPattern } from '@t1c/smartcard/codec';
import type { CardConnection, CardSession } from '@t1c/smartcard/reader';
import type { CardModuleName, OpArgs, OpName, OpResult, OpTargetOf } from '../ipc/index.js';

/** The card an op runs on: a session in the reader, with the reader's name for per-reader state. */
export interface CardContext {
  readonly session: CardSession;
  readonly readerName: string;
  /**
   * This insertion of the card, as PC/SC's per-reader event counter tells it (read after the
   * connection was made, so it is the inserted card this session talks to): anything a module
   * keeps about a card must be keyed by it. Undefined when the platform cannot tell.
   */
  insertion(): Promise<string | undefined>;
}

/** One row of the ATR table: cards whose ATR matches `pattern` belong to the module. */
export interface AtrRow {
  /** The ATR shown by `/atrs` (a typical card; the pattern may be wider). */
  readonly atr: string;
  readonly pattern: AtrPattern;
  readonly description: string;
}

/**
 * A handler per op of the contract: 'card' ops get a session on the card in the request's
 * reader; 'none' ops get the args and the reader id as sent (e.g. a token slot), if any.
 */
export type OpHandler<M extends CardModuleName, O extends OpName<M>> = OpTargetOf<M, O> extends 'card'
  ? (card: CardContext, args: OpArgs<M, O>) => Promise<OpResult<M, O>>
  : (args: OpArgs<M, O>, reader: string | null) => Promise<OpResult<M, O>>;

/**
 * A card module as the sandbox runs it: the ATR rows it claims and a handler for every op
 * the contract lists under its name (the compiler refuses a missing or extra one).
 */
export interface CardModule<M extends CardModuleName = CardModuleName> {
  readonly name: M;
  readonly atrs: readonly AtrRow[];
  readonly ops: { readonly [O in OpName<M>]: OpHandler<M, O> };
  /**
   * For cards no ATR row can claim (a payment card comes with any of thousands of ATRs): a few
   * APDUs that tell whether the card is this module's. Run once per insertion, in module order,
   * only when no ATR row matched; a module with a probe checks the card in its handlers too.
   */
  probe?(session: CardSession): Promise<boolean>;
  /** The card in this reader went away or changed: drop anything kept for it. */
  forget?(readerName: string): void;
  /** Given once by the card service, for modules that hold connections across ops. */
  attach?(readers: ReaderAccess): void;
  /** Frees what the module holds (caches, libraries) when the card service closes. */
  close?(): Promise<void>;
}

/**
 * The readers as a module that keeps its own connections sees them (remote loading sessions):
 * connect by reader id, and run card work under the reader's lock that every op shares.
 */
export interface ReaderAccess {
  connect(readerId: string): Promise<{ readonly connection: CardConnection; readonly readerName: string }>;
  withReaderLock<T>(readerName: string, work: () => Promise<T>): Promise<T>;
}

/** Any one of the modules, whatever its name. */
export type AnyCardModule = { [M in CardModuleName]: CardModule<M> }[CardModuleName];
