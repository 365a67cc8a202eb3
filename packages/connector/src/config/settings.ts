import { z } from 'zod';
import { isRegistrationKey } from './registration-key.js';

export const DEFAULT_PORT = 51983;

/** Everything `t1c api` can be told; the config file uses exactly these keys. */
export const settingsSchema = z.object({
  port: z.number().int().min(0).max(65535),
  transport: z.enum(['local-ca', 'tls', 'http']),
  tlsCert: z.string().optional(),
  tlsKey: z.string().optional(),
  hostnames: z.array(z.string().regex(/^[A-Za-z0-9.-]{1,253}$/)),
  allowOrigins: z.array(z.string().min(1)),
  allowNoOrigin: z.boolean(),
  jwt: z.boolean(),
  jwksUrl: z.url().optional(),
  jwtPublicKey: z.string().optional(),
  jwtIssuer: z.string().optional(),
  jwtAudience: z.string().optional(),
  dsUrl: z.url().optional(),
  registrationKey: z.string().refine(isRegistrationKey, 'not a registration key (t1crk_…, as issued by the DS)').optional(),
  allowPlainPin: z.boolean(),
  virtualCards: z.array(z.enum(['1.7', '1.8'])),
  pcsc: z.boolean(),
  dataDir: z.string().min(1),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
  pinRateLimitPerMinute: z.number().int().min(1),
  bulkPinLifetimeSeconds: z.number().int().min(1).max(3600),
  bulkPinMaxSignatures: z.number().int().min(1).max(1000),
  bodyLimitBytes: z.number().int().min(1024).max(10 * 1024 * 1024),
});
export type Settings = z.infer<typeof settingsSchema>;

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
export const fileSchema = settingsSchema.partial().strict();
