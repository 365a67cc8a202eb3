import { z } from 'zod';
import { insecureUrlProblem, isRegistrationKey } from '@t1c/ds/client';

export const DEFAULT_PORT = 51983;

/** A URL that carries trust (JWT keys, allow-list): https://, or http:// to loopback only. */
const trustedUrl = z.url().superRefine((url, ctx) => {
  const problem = insecureUrlProblem(url);
  if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
});

/** Everything `t1c api` can be told; the config file uses exactly these keys. */
const settingsObject = z.object({
  port: z.number().int().min(0).max(65535),
  transport: z.enum(['local-ca', 'tls', 'http']),
  tlsCert: z.string().optional(),
  tlsKey: z.string().optional(),
  hostnames: z.array(z.string().regex(/^[A-Za-z0-9.-]{1,253}$/)),
  allowOrigins: z.array(z.string().min(1)),
  allowNoOrigin: z.boolean(),
  jwt: z.boolean(),
  jwksUrl: trustedUrl.optional(),
  jwtPublicKey: z.string().optional(),
  jwtIssuer: z.string().optional(),
  jwtAudience: z.string().optional(),
  dsUrl: trustedUrl.optional(),
  registrationKey: z.string().refine(isRegistrationKey, 'not a registration key (t1crk_…, as issued by the DS)').optional(),
  allowPlainPin: z.boolean(),
  virtualCards: z.array(z.enum(['1.7', '1.8'])),
  /** Holder data (JSON, `t1c emulator beid --print-format`) for the virtual cards instead of the specimen. */
  virtualCardData: z.string().min(1).optional(),
  pcsc: z.boolean(),
  /** JSON file with the EMV CA public keys to use instead of the payment schemes' production table (docs: packages/connector/README.md). */
  emvCaKeys: z.string().min(1).optional(),
  dataDir: z.string().min(1),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
  /** Log to this file (size-capped, rotated) instead of stdout. */
  logFile: z.string().min(1).optional(),
  pinRateLimitPerMinute: z.number().int().min(1),
  bulkPinLifetimeSeconds: z.number().int().min(1).max(3600),
  bulkPinMaxSignatures: z.number().int().min(1).max(1000),
  bodyLimitBytes: z.number().int().min(1024).max(10 * 1024 * 1024),
  /**
   * Run as an agent of `t1c registry` (shared hosts): true for its default channel, or the
   * socket's absolute path, or `127.0.0.1:PORT` (the TCP channel, Windows' default). Set by an
   * administrator in /etc/t1c/connector.json for every user.
   */
  registry: z.union([z.boolean(), z.string().regex(/^\/|^127\.0\.0\.1:\d{1,5}$/, 'an absolute socket path or 127.0.0.1:PORT')]).optional(),
});

/**
 * With a DS, tokens are the DS's: keys the partner configures besides it must name their
 * issuer and audience too, or a token for another service would pass here.
 */
export const settingsSchema = settingsObject.superRefine((s, ctx) => {
  if (s.dsUrl === undefined || !s.jwt || (s.jwksUrl === undefined && s.jwtPublicKey === undefined)) return;
  for (const key of ['jwtIssuer', 'jwtAudience'] as const) {
    if (s[key] === undefined || s[key] === '') {
      ctx.addIssue({ code: 'custom', path: [key], message: 'required with --ds-url and --jwks-url/--jwt-public-key (--jwt-issuer, --jwt-audience)' });
    }
  }
});
export type Settings = z.infer<typeof settingsObject>;

export function defaultSettings(dataDir: string): Settings {
  return {
    port: DEFAULT_PORT,
    transport: 'local-ca',
    hostnames: [],
    allowOrigins: [],
    allowNoOrigin: true,
    jwt: true,
    allowPlainPin: false,
    virtualCards: [],
    pcsc: true,
    dataDir,
    logLevel: 'info',
    pinRateLimitPerMinute: 20,
    bulkPinLifetimeSeconds: 300,
    bulkPinMaxSignatures: 50,
    bodyLimitBytes: 64 * 1024,
  };
}

/** The config file may set any subset; unknown keys are an error, not silently ignored. */
export const fileSchema = settingsObject.partial().strict();
