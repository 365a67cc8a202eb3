import { createLocalJWKSet, type JWTVerifyGetKey } from 'jose';
import type { CounterEntryInput, VersionPolicy } from '@t1c/ds/client';
import type { DsSync } from './ds-sync.js';
import type { RecentLogs } from './recent-logs.js';
import type { UseCase } from './counters.js';

/** What the API needs from the DS link: allow-list, keys, version policy, counters, logs. */
export interface DsLink {
  origins(): readonly string[];
  /** Resolves JWT keys from the last synced JWKS; undefined before any sync. */
  keySource(): JWTVerifyGetKey | undefined;
  versionPolicy(): VersionPolicy | undefined;
  count(application: string, tag: string, useCase: UseCase): void;
  pendingCounters(): CounterEntryInput[];
  pushLogs(): Promise<{ id: string; size: number }>;
}

export function dsLink(sync: DsSync, logs: RecentLogs): DsLink {
  let jwksSource: { json: string; keys: JWTVerifyGetKey } | undefined;
  return {
    origins: () => sync.last?.origins ?? [],
    keySource: () => {
      const jwks = sync.last?.jwks;
      if (!jwks) return undefined;
      const json = JSON.stringify(jwks);
      if (jwksSource?.json !== json) jwksSource = { json, keys: createLocalJWKSet(jwks as Parameters<typeof createLocalJWKSet>[0]) };
      return jwksSource.keys;
    },
    versionPolicy: () => sync.last?.versionPolicy,
    count: (application, tag, useCase) => sync.counters.count(application, tag, 'beid', useCase),
    pendingCounters: () => sync.counters.pending(),
    pushLogs: () => sync.uploadLogs(logs.text()),
  };
}

/** A card operation refused by the DS version policy, with the version to install; else undefined. */
export function versionRefusal(policy: VersionPolicy | undefined): string | undefined {
  if (!policy) return undefined;
  const required = policy.latest?.id;
  if (!policy.allowed || policy.action === 'blocked') {
    return `This connector version (${policy.version}) is not allowed; install ${required ?? 'a newer version'}`;
  }
  if (policy.action === 'update-mandatory') return `This connector version (${policy.version}) must be updated to ${required ?? 'the latest version'}`;
  return undefined;
}

export function versionNotice(policy: VersionPolicy | undefined): string | undefined {
  return policy?.action === 'update-recommended' ? `An update is recommended: ${policy.latest?.id ?? 'a newer version'}` : undefined;
}
