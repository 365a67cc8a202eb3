import { z } from 'zod';
import { OS_NAMES } from '../store/model.js';
import { MAX_TOKEN_LIFETIME_S, semverSchema } from '../client/protocol.js';
import { KEY_PURPOSES } from '../store/signing-keys.js';
import { normalizeOriginPattern, originPatternProblem } from '../policy/origins.js';

/** Admin API input shapes; the CLI and the web page send exactly these. */
const name = z.string().trim().min(1).max(100).regex(/^[^\x00-\x1f\x7f]+$/, 'no control characters');

export const originSchema = z.string().max(300).transform((value, ctx) => {
  const normalized = normalizeOriginPattern(value);
  if (normalized === null) {
    ctx.addIssue({ code: 'custom', message: originPatternProblem(value) ?? 'not an origin' });
    return z.NEVER;
  }
  return normalized;
});

export const idParams = z.strictObject({ id: z.uuid() });
export const versionParams = z.strictObject({ id: semverSchema });

export const createOrgBody = z.strictObject({ name });

export const createAppBody = z.strictObject({
  org: z.string().min(1).max(100),
  name,
  origins: z.array(originSchema).max(100).default([]),
  tokenLifetime: z.number().int().min(60).max(MAX_TOKEN_LIFETIME_S).optional(),
});

export const originBody = z.strictObject({ origin: originSchema });

// Installers are fetched and run by devices: only https, so nobody on the path can swap them.
const httpsUri = z.url({ protocol: /^https$/, error: 'installer URIs must be https:// URLs' }).max(2000);

export const versionBody = z.strictObject({
  recommended: z.boolean().default(false),
  mandatory: z.boolean().default(false),
  allowed: z.boolean().default(true),
  uris: z.partialRecord(z.enum(OS_NAMES), httpsUri).default({}),
});

/** Which keys to rotate: application tokens (the default, as before) or device-sync answers. */
export const rotateSigningKeyBody = z.strictObject({ purpose: z.enum(KEY_PURPOSES).default('token') });

export const logsQuery = z.strictObject({ device: z.uuid().optional() });

export const registrationKeyBody = z.strictObject({
  /** Devices this key may register; the DS default (10,000) when absent. */
  maxDevices: z.number().int().min(1).max(1_000_000).optional(),
});
