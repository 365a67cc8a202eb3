import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { z } from 'zod';

const upperHex = (what: string): z.ZodString => z.string().regex(/^(?:[0-9A-F]{2})+$/, `${what} must be upper-case hex`);

/** One CA public key as the schemes publish it (EMV Book 2 Annex A2), with its SHA-1 checksum. */
const caKeySchema = z.object({
  scheme: z.string().min(1).max(40),
  rid: z.string().regex(/^[0-9A-F]{10}$/, 'the RID is 5 bytes of upper-case hex'),
  index: z.number().int().min(0).max(255),
  bits: z.number().int().min(512).max(1984),
  expiry: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'the expiry is a date, YYYY-MM-DD'),
  modulus: upperHex('the modulus'),
  exponent: z.enum(['03', '010001']),
  checksum: z.string().regex(/^[0-9A-F]{40}$/, 'the checksum is 20 bytes of upper-case hex'),
}).strict().superRefine((key, ctx) => {
  if (key.modulus.length * 4 !== key.bits) ctx.addIssue({ code: 'custom', path: ['modulus'], message: `has ${key.modulus.length * 4} bits, not ${key.bits}` });
  const actual = createHash('sha1').update(Buffer.from(key.rid, 'hex')).update(Uint8Array.of(key.index)).update(Buffer.from(key.modulus, 'hex')).update(Buffer.from(key.exponent, 'hex')).digest('hex').toUpperCase();
  if (actual !== key.checksum) ctx.addIssue({ code: 'custom', path: ['checksum'], message: `does not match the key (SHA-1 over RID, index, modulus, exponent is ${actual}): the key was copied wrong` });
});
export type ConfiguredCaKey = z.infer<typeof caKeySchema>;

/**
 * The `emvCaKeys` file: the terminal's whole CA key table, in place of the payment schemes'
 * production keys (a test CA, a lab's keys). Never merged with them: a connector trusts either
 * the production keys or the file's, so a test CA can never be trusted beside a scheme's key.
 */
export const emvCaKeyFileSchema = z.object({
  keys: z.array(caKeySchema).min(1).max(256),
}).strict().superRefine((file, ctx) => {
  const seen = new Set<string>();
  for (const [i, key] of file.keys.entries()) {
    const name = `${key.rid}:${key.index}`;
    if (seen.has(name)) ctx.addIssue({ code: 'custom', path: ['keys', i], message: `a second key under RID ${key.rid} and index ${key.index}` });
    seen.add(name);
  }
});
export type EmvCaKeyFile = z.infer<typeof emvCaKeyFileSchema>;

/** Reads and checks the file; the error names the file and every problem in it. */
export function readEmvCaKeyFile(path: string): EmvCaKeyFile {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new Error(`emvCaKeys ${path}: ${error instanceof Error ? error.message : String(error)}`);
  }
  const parsed = emvCaKeyFileSchema.safeParse(json);
  if (!parsed.success) throw new Error(`emvCaKeys ${path}: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(top)'}: ${i.message}`).join('; ')}`);
  return parsed.data;
}
