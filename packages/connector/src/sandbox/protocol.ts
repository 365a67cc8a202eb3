import { z } from 'zod';

/**
 * The API ↔ sandbox protocol: one JSON text per message over Node's IPC channel, shape-checked
 * on both ends. Bytes travel as `{"$b64": "..."}` so card files survive JSON unchanged.
 */
export const MAX_MESSAGE_CHARS = 4 * 1024 * 1024;

const bytes = z.custom<Uint8Array>((v) => v instanceof Uint8Array && v.length <= 4096, 'bytes');
const readerId = z.string().min(1).max(256);
const pin = z.union([
  z.object({ kind: z.literal('digits'), pin: bytes }),
  z.object({ kind: z.literal('pinpad') }),
]);

export const requestSchema = z.discriminatedUnion('method', [
  z.object({ id: z.number().int().nonnegative(), method: z.literal('ping') }),
  z.object({ id: z.number().int().nonnegative(), method: z.literal('listReaders') }),
  z.object({ id: z.number().int().nonnegative(), method: z.literal('readBeid'), readerId }),
  z.object({ id: z.number().int().nonnegative(), method: z.literal('verifyBeidPin'), readerId, pin }),
  z.object({
    id: z.number().int().nonnegative(),
    method: z.literal('signBeid'),
    readerId,
    key: z.enum(['authentication', 'nonRepudiation']),
    algorithm: z.enum(['SHA-1', 'SHA-256', 'SHA-384', 'SHA-512']),
    digest: bytes,
    pin: pin.optional(),
  }),
]);
export type SandboxRequest = z.infer<typeof requestSchema>;
export type SandboxMethod = SandboxRequest['method'];

export const errorSchema = z.object({
  code: z.string().max(64),
  message: z.string().max(2000),
  details: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])),
});

export const responseSchema = z.union([
  z.object({ id: z.number().int().nonnegative(), ok: z.literal(true), result: z.unknown() }),
  z.object({ id: z.number().int().nonnegative(), ok: z.literal(false), error: errorSchema }),
]);
export type SandboxResponse = z.infer<typeof responseSchema>;

/** Sent once by the sandbox when its card service is up; also reports PC/SC health. */
export const readySchema = z.object({ ready: z.literal(true), pcsc: z.enum(['up', 'down', 'off']) });

export const readerSchema = z.object({
  id: z.string(),
  name: z.string(),
  card: z.object({ atr: z.string(), module: z.literal('beid').nullable(), insertion: z.string().min(1).max(64) }).nullable(),
  pinpad: z.boolean(),
  virtual: z.boolean(),
});
export const readersResultSchema = z.object({ readers: z.array(readerSchema), pcsc: z.enum(['up', 'down', 'off']) });

const byteField = z.custom<Uint8Array>((v) => v instanceof Uint8Array, 'bytes');
/** Checked after bytes are revived: the fields the wire mapping reads must be there. */
export const readoutSchema = z.object({
  applet: z.enum(['1.7', '1.8']),
  cardData: z.object({ serialNumber: z.string(), appletVersion: z.number(), componentCode: z.number(), appletLifeCycle: z.number() }).passthrough(),
  tokenInfo: z.object({ raw: byteField, serialNumber: z.string(), label: z.string() }).passthrough(),
  identity: z.object({ nationalNumber: z.string(), surname: z.string(), photoHash: byteField }).passthrough(),
  identityFile: byteField,
  identitySignatureFile: byteField,
  address: z.object({ streetAndNumber: z.string(), zipCode: z.string(), municipality: z.string() }).passthrough(),
  addressFile: byteField,
  addressSignatureFile: byteField,
  photo: byteField,
  certificates: z.record(z.string(), byteField.optional()),
}).passthrough();

export const signatureResultSchema = z.object({ signature: byteField });

/** JSON.stringify with bytes as `{$b64}`. */
export function encodeMessage(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v instanceof Uint8Array) return { $b64: Buffer.from(v).toString('base64') };
    // Buffer.toJSON runs before the replacer sees it.
    if (typeof v === 'object' && v !== null && (v as { type?: unknown }).type === 'Buffer' && Array.isArray((v as { data?: unknown }).data)) {
      return { $b64: Buffer.from((v as { data: number[] }).data).toString('base64') };
    }
    return v;
  });
}

/** JSON.parse that turns `{$b64}` back into Uint8Array; refuses oversized messages. */
export function decodeMessage(text: string): unknown {
  if (text.length > MAX_MESSAGE_CHARS) throw new RangeError('sandbox message too large');
  return JSON.parse(text, (_key, v: unknown) => {
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) {
      const keys = Object.keys(v);
      const b = (v as { $b64?: unknown }).$b64;
      if (keys.length === 1 && typeof b === 'string') return new Uint8Array(Buffer.from(b, 'base64'));
    }
    return v;
  });
}
