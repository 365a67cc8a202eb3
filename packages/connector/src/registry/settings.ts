import { z } from 'zod';
import { DEFAULT_PORT } from '../config/settings.js';
import { DEFAULT_AGENT_PORTS } from './port-range.js';

/**
 * How the Registry binds a browser to its user's agent (t1c-api.md §1.7):
 * - `ours`: every request is forwarded to the caller's own agent, found by the OS user of the
 *   TCP connection; the official SDK sees a plain connector and needs no consent step.
 * - `optional-consent`: `/info` says `optionalConsent`, `GET /v3/agents` lists the caller's agent only.
 * - `consent`: T1C's default on shared hosts: the clipboard code word picks the agent.
 */
export const REGISTRY_MODES = ['ours', 'optional-consent', 'consent'] as const;
export type RegistryMode = (typeof REGISTRY_MODES)[number];

export const registrySettingsSchema = z.object({
  port: z.number().int().min(0).max(65535),
  mode: z.enum(REGISTRY_MODES),
  socketPath: z.string().min(1),
  agentPorts: z.object({ from: z.number().int().min(1024).max(65535), to: z.number().int().min(1024).max(65535) }).refine((r) => r.from <= r.to, 'from must not exceed to'),
  allowOrigins: z.array(z.string().min(1)),
  allowNoOrigin: z.boolean(),
  /** Keeps the consent key; without it consents end with the Registry. */
  dataDir: z.string().min(1).optional(),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
  /**
   * PEM files for the Registry's own answers over HTTPS (its endpoints in the consent modes; the
   * "no agent" answer in mode `ours`, whose other connections are spliced, TLS and all, to the
   * agents). The certificate must be one every user's browser trusts for the page's host name.
   */
  tls: z.object({ cert: z.string().min(1), key: z.string().min(1) }).optional(),
});
export type RegistrySettings = z.infer<typeof registrySettingsSchema>;

/** The channel agents register on: a Unix socket in a directory only root (or the service user) writes. */
export function defaultRegistrySocket(platform: NodeJS.Platform = process.platform): string {
  if (platform === 'darwin') return '/var/run/t1c/registry.sock';
  return '/run/t1c/registry.sock';
}

/** The `registry` setting → the socket an agent registers on; undefined: no agent, a plain connector. */
export function registrySocketOf(setting: boolean | string | undefined): string | undefined {
  if (setting === undefined || setting === false) return undefined;
  return setting === true ? defaultRegistrySocket() : setting;
}

export function registrySettings(given: Partial<RegistrySettings>): RegistrySettings {
  return registrySettingsSchema.parse({
    port: DEFAULT_PORT,
    mode: 'ours',
    socketPath: defaultRegistrySocket(),
    agentPorts: DEFAULT_AGENT_PORTS,
    allowOrigins: [],
    allowNoOrigin: true,
    logLevel: 'info',
    ...given,
  });
}
