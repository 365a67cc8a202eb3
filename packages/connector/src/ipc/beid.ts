import { z } from 'zod';
import { bytes, defineOp, noArgs, pinInputSchema } from './op.js';

/** Largest file the Belgian eID holds (photo, padded certificates), as the reader caps it. */
const FILE = 32 * 1024;
const text = z.string().max(1024);
const integer = z.number().int();

export const beidCertificateNames = ['root', 'ca', 'authentication', 'nonRepudiation', 'rrn'] as const;
export type BeidCertificateName = (typeof beidCertificateNames)[number];

const integrityCheck = z.object({ ok: z.boolean(), skipped: z.boolean().optional(), reason: z.string().max(500).optional() });

/**
 * A full read as it crosses to the API: only the fields the API shows. Card-side types stay in
 * the sandbox; the beid card module maps its readout onto this.
 */
export const beidReadoutSchema = z.object({
  applet: z.enum(['1.7', '1.8']),
  cardData: z.object({ serialNumber: text, componentCode: integer, appletVersion: integer, appletLifeCycle: integer }),
  tokenInfo: z.object({
    raw: bytes(FILE), version: integer, serialNumber: text, label: text,
    graphicalPersoVersion: integer, electricalPersoVersion: integer, electricalPersoInterfaceVersion: integer, rfu: integer,
  }),
  identity: z.object({
    fileVersion: integer.optional(),
    cardNumber: text, chipNumber: text, validityBeginDate: text, validityEndDate: text, issuingMunicipality: text,
    nationalNumber: text, surname: text, firstNames: text, thirdNameInitial: text, nationality: text,
    birthLocation: text, birthDate: text, gender: text, nobility: text, documentType: text, specialStatus: text,
    photoHash: bytes(64),
  }),
  identityFile: bytes(FILE),
  identitySignatureFile: bytes(FILE),
  address: z.object({ fileVersion: integer.optional(), streetAndNumber: text, zipCode: text, municipality: text }),
  addressFile: bytes(FILE),
  addressSignatureFile: bytes(FILE),
  photo: bytes(FILE),
  certificates: z.object({
    root: bytes(FILE).optional(),
    ca: bytes(FILE).optional(),
    authentication: bytes(FILE).optional(),
    nonRepudiation: bytes(FILE).optional(),
    rrn: bytes(FILE).optional(),
  }) satisfies z.ZodType<Partial<Record<BeidCertificateName, Uint8Array>>>,
  integrity: z.object({
    valid: z.boolean(),
    identitySignature: integrityCheck,
    addressSignature: integrityCheck,
    photoHash: integrityCheck,
    rrnCertificate: integrityCheck,
    basicKeyHash: integrityCheck,
  }),
  apduCount: integer,
});
export type BeidReadout = z.infer<typeof beidReadoutSchema>;

export const beidSigningKeys = ['authentication', 'nonRepudiation'] as const;
export type BeidSigningKey = (typeof beidSigningKeys)[number];
export const digestAlgorithms = ['SHA-1', 'SHA-256', 'SHA-384', 'SHA-512'] as const;
export type DigestAlgorithm = (typeof digestAlgorithms)[number];

/** A pinpad waits for the person at the desk. */
const PIN_TIMEOUT_MS = 120_000;

/** Belgian eID ops (t1c-api.md §2.3): a read serves every data and certificate route. */
export const BEID_OPS = {
  read: defineOp({ args: noArgs, result: beidReadoutSchema, timeoutMs: 60_000, reader: 'card' }),
  verifyPin: defineOp({
    args: z.object({ pin: pinInputSchema }).strict(),
    result: z.object({ verified: z.literal(true) }),
    timeoutMs: PIN_TIMEOUT_MS,
    reader: 'card',
  }),
  sign: defineOp({
    args: z.object({
      key: z.enum(beidSigningKeys),
      algorithm: z.enum(digestAlgorithms),
      digest: bytes(64),
      pin: pinInputSchema.optional(),
    }).strict(),
    result: z.object({ signature: bytes(1024) }),
    timeoutMs: PIN_TIMEOUT_MS,
    reader: 'card',
  }),
};
