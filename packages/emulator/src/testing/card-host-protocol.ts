import { z } from 'zod';

/** What a hosted BEID card is made from: only data, so it crosses the thread boundary. */
export const hostedBeidCardSchema = z.object({
  appletVersion: z.enum(['1.7', '1.8']).optional(),
  /** Holder data as the emulator's holder file takes it (parseHolderData checks it). */
  holder: z.unknown().optional(),
  pin: z.string().optional(),
  pinTriesLeft: z.number().int().optional(),
  latencyMs: z.number().optional(),
}).strict();
export type HostedBeidCard = z.infer<typeof hostedBeidCardSchema>;

const port = z.number().int().min(1).max(65535);

export const cardHostRequestSchema = z.discriminatedUnion('op', [
  z.object({ id: z.number().int(), op: z.literal('insert'), port, card: hostedBeidCardSchema }).strict(),
  z.object({ id: z.number().int(), op: z.literal('remove'), port }).strict(),
  z.object({ id: z.number().int(), op: z.literal('close') }).strict(),
]);
export type CardHostRequest = z.infer<typeof cardHostRequestSchema>;

export const cardHostReplySchema = z.object({ id: z.number().int(), error: z.string().optional() }).strict();
export type CardHostReply = z.infer<typeof cardHostReplySchema>;
