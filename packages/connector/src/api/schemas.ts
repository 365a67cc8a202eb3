import { z } from 'zod';

/** Reader ids are ours (hex); anything else cannot name a reader. */
export const readerParams = z.object({ rid: z.string().regex(/^[A-Za-z0-9._~-]{1,128}$/) });

export const readersQuery = z.object({
  cardInserted: z.enum(['true', 'false']).optional(),
  excluded: z.string().max(256).optional(),
});

export const filterQuery = z.object({ filter: z.string().max(512).optional() });
export const bulkQuery = z.object({ bulk: z.enum(['true', 'false']).optional() });

const timeout = z.number().int().min(0).max(600).optional();
/** `pin` is a string (encrypted or, if allowed, plain) or SDK 3.6.1's `false`; checked later. */
const pin = z.union([z.string().max(1024), z.literal(false), z.null()]).optional();

export const verifyPinBody = z.object({
  pin,
  pace: z.string().max(1024).optional(),
  osDialog: z.boolean().optional(),
  base64Encoded: z.boolean().optional(),
  timeout,
});

export const signBody = z.object({
  algorithm: z.string().min(1).max(32),
  data: z.string().min(1).max(16 * 1024),
  pin,
  pace: z.string().max(1024).optional(),
  id: z.string().max(256).optional(),
  osDialog: z.boolean().optional(),
  txId: z.string().max(256).optional(),
  language: z.string().max(16).optional(),
  base64Encoded: z.boolean().optional(),
  timeout,
});

/** Every error answer (t1c-api.md §3). */
export const errorResponse = z.object({ success: z.literal(false), code: z.string(), description: z.string() });
