/**
 * What a desktop connector may use of this package (`@t1c/ds/client`): the device client, its
 * wire protocol and the origin/host policies. Nothing here reaches the server, its store or
 * its database drivers, so a desktop bundle built from this entry carries no server code.
 */
export * from './client/index.js';
export { originMatches, originAllowed, normalizeOriginPattern } from './policy/origins.js';
export { hostAllowed, pageRequestWithoutOrigin, servedHostNames, splitHostHeader, type HostPolicy } from './policy/hosts.js';
export { compareSemver, isSemver } from './policy/semver.js';
export { OS_NAMES, type OsName } from './policy/os-names.js';
