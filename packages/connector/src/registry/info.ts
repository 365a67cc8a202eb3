import { arch, hostname, release, type as osType } from 'node:os';
import { T1C_API_VERSION } from '../api/info.js';
import type { RegistryMode } from './settings.js';

/** `/info` of the Registry: `deviceType: "PROXY"` sends the SDK down its registry path (§1.4). */
export function registryInfo(mode: RegistryMode, url: string, port: number): Record<string, unknown> {
  return {
    t1CInfoOS: { architecture: arch(), os: osType(), version: release() },
    t1CInfoJava: { runtime: 'none', spec: 'none', java: 'none' },
    t1CInfoRuntime: { runtime: 'node', desktop: process.platform, version: process.versions.node, dateTime: new Date().toISOString() },
    t1CInfoUser: { timezone: '', country: '', language: '', home: '', tempDir: '', name: '', username: '', hostName: hostname(), installedDir: '' },
    t1CInfoAPI: {
      service: { url, apiPort: String(port), gRpcPort: '', deviceType: 'PROXY', distributionServiceUrl: '', dsRegistryActivated: false },
      activated: true,
      status: 'ACTIVE',
      environment: 'LOCAL',
      uid: 'open-t1c-registry',
      modules: [],
      cors: [],
      version: T1C_API_VERSION,
      logLevel: 'info',
      jwtEnabled: false,
      optionalConsent: mode === 'optional-consent',
      consentMode: mode,
    },
  };
}
