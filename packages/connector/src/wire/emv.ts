import { z } from 'zod';
import type { EmvApplication, EmvApplicationData, EmvCertificate } from '../ipc/index.js';

/**
 * EMV payment card data in the shapes of the T1C v3 wire API (t1c-api.md §2.7), declared once
 * as zod types. Binary values are base64; dates stay as the card stores them (YYMMDD).
 */
export const emvApplicationsSchema = z.object({
  applications: z.array(z.object({ aid: z.string(), name: z.string(), priority: z.number().int().optional() })),
});
export type EmvApplications = z.infer<typeof emvApplicationsSchema>;

export const emvApplicationDataWireSchema = z.object({
  country: z.string().optional(),
  countryCode: z.string().optional(),
  effectiveDate: z.string().optional(),
  expirationDate: z.string(),
  language: z.string().optional(),
  name: z.string().optional(),
  pan: z.string(),
});
export type EmvApplicationDataWire = z.infer<typeof emvApplicationDataWireSchema>;

/** T1CCertificate (§2.3.4) with EMV's exponent and remainder; `recovered` is this connector's extension. */
export const emvCertificateWireSchema = z.object({
  certificate: z.string(),
  exponent: z.string(),
  remainder: z.string(),
  recovered: z.object({
    format: z.number().int(),
    owner: z.string(),
    expiry: z.string(),
    serialNumber: z.string(),
    hashAlgorithm: z.number().int(),
    publicKeyAlgorithm: z.number().int(),
    modulus: z.string(),
    exponent: z.string(),
    hashValid: z.boolean(),
  }).optional(),
});
export type EmvCertificateWire = z.infer<typeof emvCertificateWireSchema>;

export const emvCertificatesSchema = z.object({ certificates: z.array(emvCertificateWireSchema) });
export const emvCertificateKeys = ['issuerPublicCertificate', 'ICCPublicCertificate'] as const;
export type EmvCertificateKey = (typeof emvCertificateKeys)[number];
export const emvCertListSchema = z.object({
  issuerPublicCertificate: emvCertificatesSchema.optional(),
  ICCPublicCertificate: emvCertificatesSchema.optional(),
});

const b64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64');

export function toEmvApplications(apps: readonly EmvApplication[]): EmvApplications {
  return { applications: apps.map((a) => ({ aid: a.aid, name: a.label, ...(a.priority !== undefined ? { priority: a.priority } : {}) })) };
}

/** The PAN goes to the page that asked, never into a log line. */
export function toEmvApplicationData(d: EmvApplicationData): EmvApplicationDataWire {
  return {
    country: d.country, countryCode: d.countryCode, effectiveDate: d.effectiveDate, expirationDate: d.expirationDate,
    language: d.language, name: d.name, pan: d.pan,
  };
}

export function toEmvCertificate(cert: EmvCertificate): EmvCertificateWire {
  const out: EmvCertificateWire = { certificate: b64(cert.certificate), exponent: b64(cert.exponent), remainder: b64(cert.remainder) };
  const r = cert.recovered;
  if (r) out.recovered = { ...r, modulus: b64(r.modulus), exponent: b64(r.exponent) };
  return out;
}
