import { SDK_CODES, type SdkErrorKind } from './codes.js';
import type { T1cErrorKind } from './kinds.js';

export interface T1cErrorOptions {
  /** HTTP status of the connector's answer, when there was one. */
  readonly status?: number | undefined;
  readonly cause?: unknown;
}

/**
 * The one error type the SDK rejects with. `kind` is what pages branch on; `code` is the
 * six-digit T1C code (the connector's, or the SDK's own 9xxxxx for page-side failures).
 */
export class T1cError extends Error {
  override readonly name: string = 'T1cError';
  readonly kind: T1cErrorKind;
  readonly code: string;
  readonly description: string;
  readonly status: number | undefined;

  constructor(kind: T1cErrorKind, code: string, description: string, options: T1cErrorOptions = {}) {
    super(description, options.cause === undefined ? undefined : { cause: options.cause });
    this.kind = kind;
    this.code = code;
    this.description = description;
    this.status = options.status;
  }
}

/** Wrong PIN: the card still allows `triesLeft` attempts, when the connector said how many. */
export class PinIncorrectError extends T1cError {
  override readonly name: string = 'PinIncorrectError';
  override readonly kind = 'pin-incorrect' as const;
  readonly triesLeft: number | undefined;

  constructor(code: string, description: string, triesLeft: number | undefined, options: T1cErrorOptions = {}) {
    super('pin-incorrect', code, description, options);
    this.triesLeft = triesLeft;
  }
}

/** A failure the SDK detected itself, with its fixed code. */
export function sdkError(kind: SdkErrorKind, description: string, options: T1cErrorOptions = {}): T1cError {
  return new T1cError(kind, SDK_CODES[kind], description, options);
}

export function isT1cError(value: unknown, kind?: T1cErrorKind): value is T1cError {
  return value instanceof T1cError && (kind === undefined || value.kind === kind);
}
