import { arch, homedir, hostname, release, tmpdir, type as osType, userInfo } from 'node:os';
import { versionNotice } from '../ds-client/index.js';
import { installedDirectory } from '../os/self-command.js';
import type { ApiContext } from './context.js';

/** The version the SDK keys its behaviour on (t1c-api.md §1.5): newest code paths. */
export const T1C_API_VERSION = '3.8.8';
const UID = 'open-t1c';

/** `/info`: the bare InfoResponse of §2.1.1 with every field present. */
export function infoResponse(ctx: ApiContext, pcsc: string): Record<string, unknown> {
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
      modules: ['beid'],
      cors: [...ctx.policy.allowOrigins],
      ...(ctx.ds ? { versionPolicy: ctx.ds.link.versionPolicy() ?? null, updateNotice: versionNotice(ctx.ds.link.versionPolicy()) ?? null } : {}),
      version: T1C_API_VERSION,
      logLevel: 'info',
      jwtEnabled: ctx.jwt !== undefined,
      optionalConsent: false,
    },
  };
}
