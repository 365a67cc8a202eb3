/** Public surface of the Distribution Service package. */
export { registerDsCommands } from './cli.js';
export {
  DEFAULT_DS_PORT, startDistributionService, type DistributionServiceOptions, type RunningDistributionService,
} from './server.js';
export * from './client/index.js';
export { originMatches, originAllowed, normalizeOriginPattern, originPatternProblem, isPublicSuffix } from './policy/origins.js';
export { hostAllowed, pageRequestWithoutOrigin, servedHostNames, splitHostHeader, type HostPolicy } from './policy/hosts.js';
export { insecureUrlProblem } from './policy/secure-url.js';
export { compareSemver, isSemver } from './policy/semver.js';
export { versionPolicy } from './policy/version-policy.js';
export { OS_NAMES, type OsName } from './store/model.js';
export { AdminClient } from './admin/client.js';
