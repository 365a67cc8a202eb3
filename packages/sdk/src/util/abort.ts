import { sdkError } from '../errors/t1c-error.js';

/** Why a deadline-bound operation stopped: the caller's signal or our own timer. */
export interface Deadline {
  readonly signal: AbortSignal;
  /** Rejects when the deadline passes or the caller aborts; race it against work that may ignore the signal. */
  readonly expired: Promise<never>;
  dispose(): void;
}

/**
 * One AbortSignal for "the caller aborted or `timeoutMs` passed", rejecting with a typed
 * error either way. Hand-made rather than AbortSignal.any/timeout, which older browsers lack.
 */
export function deadline(timeoutMs: number | undefined, outer: AbortSignal | undefined, what: string): Deadline {
  const controller = new AbortController();
  let reject: (error: Error) => void = () => undefined;
  const expired = new Promise<never>((_resolve, rejectFn) => {
    reject = rejectFn;
  });
  expired.catch(() => undefined);
  const stop = (error: Error): void => {
    if (controller.signal.aborted) return;
    reject(error);
    controller.abort(error);
  };
  const onAbort = (): void => stop(sdkError('aborted', `${what} was aborted`, { cause: outer?.reason }));
  const timer = timeoutMs !== undefined && timeoutMs > 0
    ? setTimeout(() => stop(sdkError('timeout', `${what} took longer than ${timeoutMs} ms`)), timeoutMs)
    : undefined;
  if (outer?.aborted) onAbort();
  else outer?.addEventListener('abort', onAbort, { once: true });
  return {
    signal: controller.signal,
    expired,
    dispose: () => {
      if (timer !== undefined) clearTimeout(timer);
      outer?.removeEventListener('abort', onAbort);
    },
  };
}

/** Waits `ms`, or rejects as soon as the deadline does. */
export function sleep(ms: number, until: Deadline): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const slept = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
  });
  return Promise.race([slept, until.expired]).finally(() => clearTimeout(timer));
}
