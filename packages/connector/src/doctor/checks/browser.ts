import { parseJsonOrUndefined } from '../probes/json.js';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { Check, DoctorContext } from '../types.js';

const id = 'browser';
const POLICIES = ['LocalNetworkAccessAllowedForUrls', 'LoopbackNetworkAllowedForUrls'] as const;
const policyFile = z.record(z.string(), z.unknown());
const urlList = z.array(z.string());

/** Origins the managed policies of this machine pre-approve, per browser policy location. */
function linuxPolicies(ctx: DoctorContext): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const dir of ctx.paths.chromePolicyDirs) {
    let files: string[];
    try {
      files = readdirSync(dir).filter((f) => f.endsWith('.json'));
    } catch {
      continue;
    }
    for (const file of files) {
      const parsed = policyFile.safeParse(parseJsonOrUndefined(ctx.readText(join(dir, file)) ?? ''));
      if (!parsed.success) continue;
      for (const key of POLICIES) {
        const urls = urlList.safeParse(parsed.data[key]);
        if (urls.success) out.set(dir, new Set([...(out.get(dir) ?? []), ...urls.data]));
      }
    }
  }
  return out;
}

const WINDOWS_KEYS = ['HKLM\\SOFTWARE\\Policies\\Google\\Chrome', 'HKLM\\SOFTWARE\\Policies\\Microsoft\\Edge'];

function windowsPolicies(ctx: DoctorContext): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const key of WINDOWS_KEYS) {
    for (const policy of POLICIES) {
      const r = ctx.run('reg', ['query', `${key}\\${policy}`]);
      if (r.status !== 0) continue;
      const urls = [...r.stdout.matchAll(/^\s+\d+\s+REG_SZ\s+(\S+)\s*$/gm)].map((m) => m[1] ?? '');
      out.set(key, new Set([...(out.get(key) ?? []), ...urls]));
    }
  }
  return out;
}

function macPolicies(ctx: DoctorContext): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const domain of ['com.google.Chrome', 'com.microsoft.Edge']) {
    const r = ctx.run('plutil', ['-convert', 'json', '-o', '-', `/Library/Managed Preferences/${domain}.plist`]);
    const parsed = policyFile.safeParse(r.status === 0 ? parseJsonOrUndefined(r.stdout) : undefined);
    if (!parsed.success) continue;
    for (const key of POLICIES) {
      const urls = urlList.safeParse(parsed.data[key]);
      if (urls.success) out.set(domain, new Set([...(out.get(domain) ?? []), ...urls.data]));
    }
  }
  return out;
}

/** The policy that pre-approves `origins`, in the form this platform deploys. */
export function policySnippet(platform: NodeJS.Platform, origins: readonly string[]): string {
  const list = origins.length > 0 ? origins : ['https://portal.example.be'];
  if (platform === 'win32') {
    return POLICIES.map((p) => `reg add "HKLM\\SOFTWARE\\Policies\\Google\\Chrome\\${p}" /v 1 /t REG_SZ /d "${list[0] ?? ''}" /f`).join('\n');
  }
  if (platform === 'darwin') return `configuration profile, domain com.google.Chrome (Edge: com.microsoft.Edge): ${POLICIES.map((p) => `${p} = ${JSON.stringify(list)}`).join('; ')}`;
  return `/etc/opt/chrome/policies/managed/t1c-connector.json: ${JSON.stringify({ [POLICIES[0]]: list, [POLICIES[1]]: list })}`;
}

/** 8. Chrome/Edge Local Network Access policy for the integrator's origins (information only). */
export const browserCheck: Check = async (ctx) => {
  const origins = ctx.settings.allowOrigins.filter((o) => !o.includes('*'));
  const found = ctx.platform === 'win32' ? windowsPolicies(ctx) : ctx.platform === 'darwin' ? macPolicies(ctx) : linuxPolicies(ctx);
  const approved = new Set([...found.values()].flatMap((s) => [...s]));
  const details = [...found.entries()].map(([where, urls]) => `${where}: ${[...urls].join(', ')}`);
  const missing = origins.filter((o) => !approved.has(o));
  const intro = 'Chrome 142+ and Edge 143+ ask the user before a web site may reach the connector';
  if (origins.length > 0 && missing.length === 0) return { id, status: 'info', summary: `${intro}; the policy pre-approves ${origins.join(', ')}`, details };
  return {
    id, status: 'info', summary: `${intro}; no Local Network Access policy pre-approves ${missing.length > 0 ? missing.join(', ') : 'your web application\'s origin'}`, details,
    fix: 'Users must click "Allow" once per site. Administrators can pre-approve the site with a browser policy.',
    ...(ctx.platform === 'win32' ? { command: policySnippet(ctx.platform, missing) } : { setting: policySnippet(ctx.platform, missing) }),
  };
};
