import { z } from 'zod';
import { bytes, defineOp, noArgs, pinInputSchema } from './op.js';

/** An application identifier: 5 to 16 bytes, upper-case hex (EMV Book 1 §12.2.1). */
export const aidSchema = z.string().regex(/^(?:[0-9A-F]{2}){5,16}$/);
const text = z.string().max(256);

export const emvApplicationSchema = z.object({
  aid: aidSchema,
  label: text,
  priority: z.number().int().min(1).max(15).optional(),
});
export type EmvApplication = z.infer<typeof emvApplicationSchema>;

/** The cardholder data of one application; the PAN is personal data and is never logged. */
export const emvApplicationDataSchema = z.object({
  aid: aidSchema,
  pan: z.string().regex(/^\d{8,19}$/),
  expirationDate: z.string().regex(/^\d{6}$/),
  effectiveDate: z.string().regex(/^\d{6}$/).optional(),
  name: text.optional(),
  country: z.string().regex(/^[A-Z]{2}$/).optional(),
  countryCode: z.string().regex(/^\d{4}$/).optional(),
  language: z.string().max(8).optional(),
});
export type EmvApplicationData = z.infer<typeof emvApplicationDataSchema>;

/** What a recovered certificate says (EMV Book 2 Tables 6 and 14), when the CA key is known. */
const recoveredSchema = z.object({
  format: z.number().int(),
  owner: z.string().max(32),
  expiry: z.string().max(4),
  serialNumber: z.string().max(6),
  hashAlgorithm: z.number().int(),
  publicKeyAlgorithm: z.number().int(),
  modulus: bytes(256),
  exponent: bytes(3),
  hashValid: z.boolean(),
});

/** A public key certificate as the card stores it: RSA keys of at most 2048 bits (Book 2 §5.1). */
export const emvCertificateSchema = z.object({
  certificate: bytes(256),
  exponent: bytes(3),
  remainder: bytes(256),
  recovered: recoveredSchema.optional(),
  /** Why it was not recovered: no CA key under the card's RID and index, an expired one, or a certificate that does not open. */
  problem: z.object({ status: z.enum(['no-key', 'expired', 'invalid']), reason: z.string().max(300) }).optional(),
});
export type EmvCertificate = z.infer<typeof emvCertificateSchema>;

const PIN_TIMEOUT_MS = 120_000;
/** A full read is about a dozen APDUs; certificates are the largest records. */
const READ_TIMEOUT_MS = 30_000;

/** EMV ops (t1c-api.md §2.7): read-only data, the certificates of one application, offline PIN. */
export const EMV_OPS = {
  applications: defineOp({ args: noArgs, result: z.object({ applications: z.array(emvApplicationSchema).max(32) }), timeoutMs: READ_TIMEOUT_MS, reader: 'card' }),
  applicationData: defineOp({ args: z.object({ aid: aidSchema.optional() }).strict(), result: emvApplicationDataSchema, timeoutMs: READ_TIMEOUT_MS, reader: 'card' }),
  certificates: defineOp({
    args: z.object({ aid: aidSchema }).strict(),
    result: z.object({ issuer: emvCertificateSchema.optional(), icc: emvCertificateSchema.optional() }),
    timeoutMs: READ_TIMEOUT_MS,
    reader: 'card',
  }),
  verifyPin: defineOp({
    args: z.object({ pin: pinInputSchema, aid: aidSchema.optional() }).strict(),
    result: z.object({ verified: z.literal(true) }),
    timeoutMs: PIN_TIMEOUT_MS,
    reader: 'card',
  }),
};
