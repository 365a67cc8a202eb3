import { AdminClient } from '@t1c/ds';

export interface DemoSeed {
  readonly applicationId: string;
  readonly apiKey: string;
  readonly registrationKey: string;
}

interface AppSummary {
  readonly id: string;
  readonly name: string;
  readonly origins: readonly string[];
}

/**
 * Makes sure the DS knows the demo organisation, application (with the page's origins) and
 * the connector's version. Idempotent across restarts: an existing application gets a fresh
 * API key, because a key is shown only once and this process did not keep the old one.
 */
export async function seedDemo(dsUrl: string, adminToken: string, origins: readonly string[], connectorVersion: string): Promise<DemoSeed> {
  const admin = new AdminClient(dsUrl, adminToken);
  const orgs = await admin.call<{ name: string }[]>('GET', '/orgs');
  if (!orgs.some((o) => o.name === 'Demo')) await admin.call('POST', '/orgs', { name: 'Demo' });
  const apps = await admin.call<AppSummary[]>('GET', '/apps');
  const existing = apps.find((a) => a.name === 'read-my-card');
  let applicationId: string;
  let apiKey: string;
  if (existing) {
    applicationId = existing.id;
    apiKey = (await admin.call<{ apiKey: string }>('POST', `/apps/${existing.id}/rotate-key`)).apiKey;
    for (const origin of origins) {
      if (!existing.origins.includes(origin)) await admin.call('POST', `/apps/${existing.id}/origins`, { origin });
    }
  } else {
    ({ applicationId, apiKey } = await admin.call<{ applicationId: string; apiKey: string }>('POST', '/apps', { org: 'Demo', name: 'read-my-card', origins }));
  }
  // A version's first registration key comes with its creation; later starts ask for another.
  const created = await admin.call<{ registrationKey: string | null }>('PUT', `/versions/${connectorVersion}`, { recommended: true });
  const registrationKey = created.registrationKey
    ?? (await admin.call<{ registrationKey: string }>('POST', `/versions/${connectorVersion}/registration-keys`)).registrationKey;
  return { applicationId, apiKey, registrationKey };
}
