import { z } from 'zod';
import { pcscStateSchema } from './envelope.js';
import { CARD_MODULE_NAMES } from './modules.js';
import { defineOp, noArgs } from './op.js';

/** A reader as the connector shows it: a stable id while it stays connected. */
export const readerInfoSchema = z.object({
  /** Stable while the reader stays plugged in; derived from the name and its plug-in order. */
  id: z.string().min(1).max(256),
  name: z.string().max(512),
  card: z.object({
    atr: z.string().max(128),
    /** The card module that handles this card, or null when none does. */
    module: z.enum(CARD_MODULE_NAMES).nullable(),
    /** Random per insertion of a card: a card taken out and put back gets a new one. Never sent to pages. */
    insertion: z.string().min(1).max(64),
  }).nullable(),
  pinpad: z.boolean(),
  virtual: z.boolean(),
});
export type ReaderInfo = z.infer<typeof readerInfoSchema>;

export const readersResultSchema = z.object({ readers: z.array(readerInfoSchema), pcsc: pcscStateSchema });

/** One row of the ATR table (`/atrs`): a card module claims cards whose ATR matches. */
export const atrEntrySchema = z.object({
  atr: z.string().max(128),
  module: z.enum(CARD_MODULE_NAMES),
  moduleDescription: z.string().max(256),
});
export type AtrEntry = z.infer<typeof atrEntrySchema>;

/** Ops of the card service itself, not of a card module. */
export const CORE_OPS = {
  ping: defineOp({ args: noArgs, result: z.object({ pong: z.literal(true) }), timeoutMs: 5_000, reader: 'none' }),
  listReaders: defineOp({ args: noArgs, result: readersResultSchema, timeoutMs: 15_000, reader: 'none' }),
  listAtrs: defineOp({ args: noArgs, result: z.array(atrEntrySchema), timeoutMs: 5_000, reader: 'none' }),
};
