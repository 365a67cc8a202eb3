import { z } from 'zod';

/**
 * One operation of the contract: its argument and result schemas, checked by both ends, and
 * how long the API waits for it (the sandbox is killed and restarted past that: a card stuck
 * in native code cannot be interrupted otherwise).
 */
export interface OpSpec<A extends z.ZodType = z.ZodType, R extends z.ZodType = z.ZodType, K extends OpTarget = OpTarget> {
  readonly args: A;
  readonly result: R;
  readonly timeoutMs: number;
  readonly reader: K;
}

/** 'card': the op runs on the card in the request's reader; 'none': the request names no reader. */
export type OpTarget = 'card' | 'none';

export function defineOp<A extends z.ZodType, R extends z.ZodType, K extends OpTarget>(spec: OpSpec<A, R, K>): OpSpec<A, R, K> {
  return spec;
}

/** Bytes that crossed the channel as `{$b64}` (message.ts), at most `max` long. */
export const bytes = (max: number): z.ZodType<Uint8Array> =>
  z.custom<Uint8Array>((v) => v instanceof Uint8Array && v.length <= max, `bytes (at most ${max})`);

/** The PIN as ASCII digits (bytes, so both ends can wipe it), or "use the reader's pinpad". */
export const pinInputSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('digits'), pin: bytes(64) }),
  z.object({ kind: z.literal('pinpad') }),
]);
export type PinInput = z.infer<typeof pinInputSchema>;

export const noArgs = z.object({}).strict();
