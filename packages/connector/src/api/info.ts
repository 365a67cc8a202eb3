import { arch, homedir, hostname, release, tmpdir, type as osType, userInfo } from 'node:os';
import { z } from 'zod';
import { versionNotice } from '../ds-client/index.js';
import { CARD_MODULES } from '../ipc/index.js';
import { installedDirectory } from '../os/self-command.js';
import type { ApiContext } from './context.js';

/** The version the SDK keys its behaviour on (t1c-api.md §1.5): newest code paths. */
export const T1C_API_VERSION = '3.8.8';
const UID = 'open-t1c';

const text = z.string();
/** `/info`: the bare InfoResponse of §2.1.1 (un-enveloped: SDK 3.6 reads `t1CInfoAPI` directly). */
export const infoResponseSchema = z.object({
  t1CInfoOS: z.object({ architecture: text, os: text, version: text }),
  t1CInfoJava: z.object({ runtime: text, spec: text, java: text }),
  t1CInfoRuntime: z.object({ runtime: text, desktop: text, version: text, dateTime: text }),
  t1CInfoUser: z.object({
    timezone: text, country: text, language: text, home: text, tempDir: text, name: text, username: text, hostName: text, installedDir: text,
  }),
  t1CInfoAPI: z.object({
    service: z.object({
      url: text, apiPort: text, gRpcPort: text, deviceType: text, distributionServiceUrl: text, dsRegistryActivated: z.boolean(),
    }),
    activated: z.boolean(),
    status: z.enum(['ACTIVE', 'PCSC_UNAVAILABLE']),
    environment: text,
    uid: text,
    modules: z.array(text),
    cors: z.array(text),
    /** With a DS: its verdict on this version, and the notice to show (our extension). */
    versionPolicy: z.object({
      version: text, known: z.boolean(), allowed: z.boolean(), action: text,
      latest: z.object({ id: text, recommended: z.boolean(), mandatory: z.boolean(), uri: text.nullable() }).nullable(),
    }).nullable().optional(),
    updateNotice: text.nullable().optional(),
    version: text,
    logLevel: text,
    jwtEnabled: z.boolean(),
    optionalConsent: z.boolean(),
  }),
});
export type InfoResponse = z.infer<typeof infoResponseSchema>;

/** `/info` with every field present. */
export function infoResponse(ctx: ApiContext, pcsc: string): InfoResponse {
  const user = userInfo();
  const intl = Intl.DateTimeFormat().resolvedOptions();
  return {
    t1CInfoOS: { architecture: arch(), os: osType(), version: release() },
    t1CInfoJava: { runtime: 'none', spec: 'none', java: 'none' },
    t1CInfoRuntime: { runtime: 'node', desktop: process.platform, version: process.versions.node, dateTime: new Date().toISOString() },
    t1CInfoUser: {
      timezone: intl.timeZone,
      country: intl.locale.split('-')[1] ?? '',
      language: intl.locale.split('-')[0] ?? '',
      home: homedir(),
      tempDir: tmpdir(),
      name: user.username,
      username: user.username,
      hostName: hostname(),
      installedDir: installedDirectory(),
    },
    t1CInfoAPI: {
      service: {
        url: ctx.service.url,
        apiPort: String(ctx.service.port),
        gRpcPort: '',
        deviceType: 'STANDALONE',
        distributionServiceUrl: ctx.ds?.url ?? '',
        dsRegistryActivated: ctx.ds !== undefined,
      },
      activated: true,
      status: pcsc === 'down' ? 'PCSC_UNAVAILABLE' : 'ACTIVE',
      environment: 'LOCAL',
      uid: UID,
      modules: Object.keys(CARD_MODULES),
      cors: [...ctx.policy.allowOrigins],
      ...(ctx.ds ? { versionPolicy: ctx.ds.link.versionPolicy() ?? null, updateNotice: versionNotice(ctx.ds.link.versionPolicy()) ?? null } : {}),
      version: T1C_API_VERSION,
      logLevel: 'info',
      jwtEnabled: ctx.jwt !== undefined,
      optionalConsent: false,
    },
  };
}
