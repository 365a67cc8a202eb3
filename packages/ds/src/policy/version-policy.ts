import type { VersionPolicy } from '../client/protocol.js';
import type { OsName, Version } from '../store/model.js';
import { compareSemver } from './semver.js';

/**
 * What a device running `current` must do. Deny by default: a version the DS does not know,
 * or one marked not allowed, is blocked. Otherwise the newest allowed newer version decides:
 * a mandatory one anywhere above forces the update, a recommended one suggests it.
 */
export function versionPolicy(current: string, os: OsName, versions: readonly Version[]): VersionPolicy {
  const known = versions.find((v) => v.id === current);
  const newer = versions.filter((v) => v.allowed && compareSemver(v.id, current) > 0).sort((a, b) => compareSemver(b.id, a.id));
  const latestAllowed = newer[0] ?? (known?.allowed === true ? known : undefined);
  const latest = latestAllowed === undefined ? null : {
    id: latestAllowed.id, recommended: latestAllowed.recommended, mandatory: latestAllowed.mandatory, uri: latestAllowed.uris[os] ?? null,
  };
  let action: VersionPolicy['action'] = 'none';
  if (known === undefined || !known.allowed) action = 'blocked';
  else if (newer.some((v) => v.mandatory)) action = 'update-mandatory';
  else if (newer.some((v) => v.recommended)) action = 'update-recommended';
  return { version: current, known: known !== undefined, allowed: known?.allowed === true, action, latest };
}
