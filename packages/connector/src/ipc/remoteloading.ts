import { z } from 'zod';
import { bytes, defineOp } from './op.js';

/**
 * Largest command APDU a reader takes: extended length, 4 header + 3 Lc + 65535 data + 2 Le
 * (ISO/IEC 7816-4 §5.1). Short APDUs stop at 261 (4 + 1 + 255 + 1); the API checks the form.
 */
export const MAX_EXTENDED_APDU = 4 + 3 + 65_535 + 2;
export const MAX_SHORT_APDU = 4 + 1 + 255 + 1;
/** APDUs one `commands`/`apdus` call may send: one PC/SC transaction, so keep it bounded. */
export const MAX_APDUS_PER_CALL = 64;
/** Sessions the sandbox holds at once, over all readers and applications. */
export const MAX_REMOTE_SESSIONS = 32;
/** `open-session` timeouts, in seconds as T1C's docs give them (t1c-docs.md §16). */
export const MAX_SESSION_TIMEOUT_S = 3_600;
export const DEFAULT_SESSION_TIMEOUT_S = 60;
/** Responses carry whole extended APDUs plus GET RESPONSE chains; 64 KiB + SW per answer. */
const RESPONSE = 65_536 + 2;

/** The sandbox's random session handle (hex); the API binds it to the application that opened it. */
export const sessionIdSchema = z.string().regex(/^[0-9a-f]{32}$/);

export const ccidFeatureNames = ['VERIFY_PIN_DIRECT', 'MODIFY_PIN_DIRECT', 'GET_TLV_PROPERTIES'] as const;
export type CcidFeatureName = (typeof ccidFeatureNames)[number];

/** One exchange: the bytes sent, the data returned (after GET RESPONSE chaining) and the status word. */
const exchangeSchema = z.object({ tx: bytes(MAX_EXTENDED_APDU), rx: bytes(RESPONSE), sw: z.number().int().min(0).max(0xffff) });
export type RemoteExchange = z.infer<typeof exchangeSchema>;

/** With a session: its connection; without one: a connection opened and closed for this call alone. */
const onSession = { sessionId: sessionIdSchema.optional() };

/**
 * Remote loading (t1c-api.md §2.9): a page's backend drives the card APDU by APDU. Sessions live
 * in the sandbox as a shared PC/SC connection; each batch runs in one transaction and nothing
 * is held between calls, so other modules keep using the card while a session is idle.
 */
export const REMOTELOADING_OPS = {
  openSession: defineOp({
    args: z.object({ timeoutSeconds: z.number().int().min(1).max(MAX_SESSION_TIMEOUT_S) }).strict(),
    result: z.object({ sessionId: sessionIdSchema }),
    timeoutMs: 15_000,
    reader: 'none',
  }),
  closeSession: defineOp({
    args: z.object({ sessionId: sessionIdSchema }).strict(),
    result: z.object({ closed: z.boolean() }),
    timeoutMs: 15_000,
    reader: 'none',
  }),
  transmit: defineOp({
    args: z.object({ ...onSession, apdus: z.array(bytes(MAX_EXTENDED_APDU)).min(1).max(MAX_APDUS_PER_CALL) }).strict(),
    result: z.object({ exchanges: z.array(exchangeSchema) }),
    timeoutMs: 60_000,
    reader: 'none',
  }),
  atr: defineOp({
    args: z.object(onSession).strict(),
    result: z.object({ atr: bytes(64) }),
    timeoutMs: 15_000,
    reader: 'none',
  }),
  cardPresent: defineOp({
    args: z.object(onSession).strict(),
    result: z.object({ present: z.boolean() }),
    timeoutMs: 15_000,
    reader: 'none',
  }),
  ccidFeatures: defineOp({
    args: z.object(onSession).strict(),
    result: z.object({ features: z.array(z.object({ tag: z.number().int().min(0).max(255), controlCode: z.number().int().min(0) })).max(32) }),
    timeoutMs: 15_000,
    reader: 'none',
  }),
  ccid: defineOp({
    args: z.object({ ...onSession, feature: z.enum(ccidFeatureNames), command: bytes(1024) }).strict(),
    result: z.object({ response: bytes(RESPONSE) }),
    // A PIN entered on the reader's pinpad waits for the person at the desk.
    timeoutMs: 120_000,
    reader: 'none',
  }),
};
