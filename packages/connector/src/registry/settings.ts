import { z } from 'zod';
import { DEFAULT_PORT } from '../config/settings.js';
import { defaultRegistrySocket, DEFAULT_CHANNEL_PORT, type RegistryChannel } from './channel-address.js';
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
  /** The Unix socket agents register on (Linux, macOS). */
  socketPath: z.string().min(1),
  /** A TCP port on 127.0.0.1 instead (Windows, where it is the default); see channel-address.ts. */
  channelPort: z.number().int().min(1).max(65535).optional(),
  agentPorts: z.object({ from: z.number().int().min(1024).max(65535), to: z.number().int().min(1024).max(65535) }).refine((r) => r.from <= r.to, 'from must not exceed to'),
  allowOrigins: z.array(z.string().min(1)),
  allowNoOrigin: z.boolean(),
  /** Keeps the consent key; without it consents end with the Registry. */
  dataDir: z.string().min(1).optional(),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
});
export type RegistrySettings = z.infer<typeof registrySettingsSchema>;

/** The channel this Registry serves: TCP when a port is set or on Windows, else the Unix socket. */
export function registryChannel(settings: RegistrySettings, platform: NodeJS.Platform = process.platform): RegistryChannel {
  if (settings.channelPort !== undefined) return { kind: 'tcp', port: settings.channelPort };
  return platform === 'win32' ? { kind: 'tcp', port: DEFAULT_CHANNEL_PORT } : { kind: 'unix', path: settings.socketPath };
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
