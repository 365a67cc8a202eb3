import { z } from 'zod';
import { CONTRACT_ERROR_CODES } from './errors.js';

const id = z.number().int().nonnegative();

/**
 * Every request, whatever the module: the op's own schema (ops.ts) checks `args` once the
 * module and op are known, so this envelope never changes when a module is added.
 */
export const requestSchema = z.object({
  id,
  module: z.string().min(1).max(64),
  op: z.string().min(1).max(64),
  reader: z.string().min(1).max(256).nullable(),
  args: z.unknown(),
});
export type SandboxRequest = z.infer<typeof requestSchema>;

/** Just the id, so a request that fails the envelope check can still be answered. */
export const requestIdSchema = z.object({ id });

export const errorSchema = z.object({
  code: z.string().max(64),
  message: z.string().max(2000),
  details: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])),
});
export type ErrorBody = z.infer<typeof errorSchema>;

export const responseSchema = z.union([
  z.object({ id, ok: z.literal(true), result: z.unknown() }),
  z.object({ id, ok: z.literal(false), error: errorSchema }),
]);
export type SandboxResponse = z.infer<typeof responseSchema>;

export const pcscStateSchema = z.enum(['up', 'down', 'off']);
export type PcscState = z.infer<typeof pcscStateSchema>;

/** Sent once by the sandbox when its card service is up; also reports PC/SC health. */
export const readySchema = z.object({ ready: z.literal(true), pcsc: pcscStateSchema });

/** The error answer for a failure of the request itself (not of the card). */
export function contractError(code: (typeof CONTRACT_ERROR_CODES)[number], message: string): ErrorBody {
  return { code, message, details: {} };
}
