import { z } from 'zod';
import { bytes, defineOp, pinInputSchema } from './op.js';

/**
 * PKCS#11 ops (t1c-api.md §2.6). They name no PC/SC reader: the request's reader is the slot
 * id as the page sent it, and `library` the path the API's configuration gives for this OS;
 * the sandbox checks it against its allow-list before loading anything.
 */
const library = z.string().min(1).max(1024);
const text = z.string().max(1024);
const count = z.number().int();
const flags = z.record(z.string().max(64), z.boolean());
const version = z.string().max(16);

export const pkcs11SlotSchema = z.object({
  slotId: count,
  description: text,
  manufacturerId: text,
  removable: z.boolean(),
  hardware: z.boolean(),
  token: z.object({ label: text, serialNumber: text, manufacturerId: text, model: text, protectedAuthenticationPath: z.boolean() }).optional(),
});
export type Pkcs11SlotInfo = z.infer<typeof pkcs11SlotSchema>;

export const pkcs11TokenInfoSchema = z.object({
  slot: count,
  label: text,
  manufacturerId: text,
  model: text,
  serialNumber: text,
  flags,
  mechanisms: z.array(z.object({ mechanism: text, flags, ulMinKeySize: count, ulMaxKeySize: count })).max(1024),
  ulMaxSessionCount: count,
  ulSessionCount: count,
  ulMaxRwSessionCount: count,
  ulRwSessionCount: count,
  ulMaxPinLen: count,
  ulMinPinLen: count,
  ulTotalPublicMemory: count,
  ulFreePublicMemory: count,
  ulTotalPrivateMemory: count,
  ulFreePrivateMemory: count,
  hardwareVersion: version,
  firmwareVersion: version,
});
export type Pkcs11TokenInfoData = z.infer<typeof pkcs11TokenInfoSchema>;

export const pkcs11CertificateSchema = z.object({
  id: z.string().max(512),
  label: text,
  der: bytes(16 * 1024),
  usage: z.enum(['authentication', 'nonRepudiation', 'authority', 'other']),
  keyType: z.enum(['rsa', 'ec', 'other']),
});
export type Pkcs11CertificateData = z.infer<typeof pkcs11CertificateSchema>;

export const pkcs11DigestAlgorithms = ['SHA-1', 'SHA-256', 'SHA-384', 'SHA-512'] as const;

/** Tokens behind PC/SC (OpenSC) may wait on the reader; a PIN may wait on a protected path. */
const TOKEN_TIMEOUT_MS = 60_000;
const PIN_TIMEOUT_MS = 120_000;

export const PKCS11_OPS = {
  /** The allow-list verdict for a path, with no dlopen: used before a configuration is accepted. */
  checkLibrary: defineOp({ args: z.object({ library }).strict(), result: z.object({ path: text, installed: z.boolean() }), timeoutMs: 5_000, reader: 'none' }),
  slots: defineOp({ args: z.object({ library }).strict(), result: z.object({ slots: z.array(pkcs11SlotSchema).max(256) }), timeoutMs: TOKEN_TIMEOUT_MS, reader: 'none' }),
  tokenInfo: defineOp({ args: z.object({ library }).strict(), result: pkcs11TokenInfoSchema, timeoutMs: TOKEN_TIMEOUT_MS, reader: 'none' }),
  certificates: defineOp({ args: z.object({ library }).strict(), result: z.object({ certificates: z.array(pkcs11CertificateSchema).max(64) }), timeoutMs: TOKEN_TIMEOUT_MS, reader: 'none' }),
  verifyPin: defineOp({
    args: z.object({ library, pin: pinInputSchema }).strict(),
    result: z.object({ verified: z.literal(true) }),
    timeoutMs: PIN_TIMEOUT_MS,
    reader: 'none',
  }),
  sign: defineOp({
    args: z.object({
      library,
      usage: z.enum(['authentication', 'nonRepudiation']),
      certificateId: z.string().regex(/^[0-9A-Fa-f]{2,256}$/).optional(),
      algorithm: z.enum(pkcs11DigestAlgorithms),
      digest: bytes(64),
      pin: pinInputSchema,
    }).strict(),
    result: z.object({ signature: bytes(1024), keyType: z.enum(['rsa', 'ec']), mechanism: text, certificateId: z.string().max(512) }),
    timeoutMs: PIN_TIMEOUT_MS,
    reader: 'none',
  }),
};
