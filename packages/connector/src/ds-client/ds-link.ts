import { createLocalJWKSet } from 'jose';
import type { CounterEntryInput, VersionPolicy } from '@t1c/ds/client';
import type { SyncedKeys } from '../security/jwt.js';
import type { DsSync } from './ds-sync.js';
import type { RecentLogs } from './recent-logs.js';
import type { UseCase } from './counters.js';

/** What the API needs from the DS link: allow-list, keys, version policy, counters, logs. */
export interface DsLink {
  origins(): readonly string[];
  /** JWT keys, issuer and audience from the last verified sync; undefined before any. */
  keySource(): SyncedKeys | undefined;
  versionPolicy(): VersionPolicy | undefined;
  count(application: string, tag: string, useCase: UseCase): void;
  pendingCounters(): CounterEntryInput[];
  pushLogs(): Promise<{ id: string; size: number }>;
}

export function dsLink(sync: DsSync, logs: RecentLogs): DsLink {
  let jwksSource: { json: string; synced: SyncedKeys } | undefined;
  return {
    origins: () => sync.last?.origins ?? [],
    keySource: () => {
      const last = sync.last;
      if (!last) return undefined;
      const json = JSON.stringify([last.jwks, last.issuer, last.audience]);
      if (jwksSource?.json !== json) jwksSource = { json, synced: { keys: createLocalJWKSet(last.jwks), issuer: last.issuer, audience: last.audience } };
      return jwksSource.synced;
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
