import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Command, Option } from 'commander';
import { DsRequestError } from '../client/errors.js';
import { OS_NAMES } from '../store/model.js';
import { KEY_PURPOSES } from '../store/signing-keys.js';
import { insecureUrlProblem } from '../policy/secure-url.js';
import { AdminClient } from './client.js';
import { ADMIN_TOKEN_FILE, readTokenFile } from './token.js';

export interface CliIo {
  out(text: string): void;
}

interface Globals {
  dsUrl: string;
  tokenFile?: string;
  dataDir?: string;
}

/** `t1c ds admin …`: every sub-command is one admin API call, printing its JSON result. */
export function registerAdminCli(ds: Command, io: CliIo, defaults: { dsUrl: string; dataDir: () => string }): void {
  const admin = ds.command('admin').description('Administer a running Distribution Service over its admin API')
    .option('--ds-url <url>', 'DS base URL', defaults.dsUrl)
    .option('--token-file <path>', 'file holding the admin token (default: T1C_DS_ADMIN_TOKEN, then <data-dir>/admin-token)')
    .option('--data-dir <dir>', 'DS data directory, to find its admin-token file');

  const client = (): AdminClient => {
    const g = admin.opts<Globals>();
    // The admin token travels with every call.
    const problem = insecureUrlProblem(g.dsUrl);
    if (problem !== undefined) throw new Error(`--ds-url: ${problem}`);
    const env = process.env.T1C_DS_ADMIN_TOKEN;
    if (g.tokenFile !== undefined) return new AdminClient(g.dsUrl, readTokenFile(g.tokenFile));
    if (env !== undefined && env !== '') return new AdminClient(g.dsUrl, env);
    // `--data-dir` may land on `ds` or on `ds admin` depending on where it was written.
    const dataDir = g.dataDir ?? ds.opts<{ dataDir?: string }>().dataDir ?? defaults.dataDir();
    const path = join(dataDir, ADMIN_TOKEN_FILE);
    if (!existsSync(path)) throw new Error(`no admin token: set T1C_DS_ADMIN_TOKEN, pass --token-file, or --data-dir of the DS (looked for ${path})`);
    return new AdminClient(g.dsUrl, readTokenFile(path));
  };
  const run = (work: (c: AdminClient) => Promise<unknown>) => async (): Promise<void> => {
    try {
      io.out(`${JSON.stringify(await work(client()), null, 2)}\n`);
    } catch (error) {
      if (error instanceof DsRequestError) throw new Error(`${error.code} ${error.description}`);
      if (error instanceof TypeError && error.message === 'fetch failed') {
        const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
        throw new Error(`cannot reach the DS at ${admin.opts<Globals>().dsUrl}${cause}`);
      }
      throw error;
    }
  };
  // Commander hands actions (args…, options, command); these wrappers pick what they need.
  const act = (fn: (c: AdminClient, args: string[], opts: Record<string, unknown>) => Promise<unknown>) =>
    async (...params: unknown[]): Promise<void> => {
      const cmd = params[params.length - 1];
      if (!(cmd instanceof Command)) throw new Error('unexpected commander action arguments');
      await run((c) => fn(c, cmd.args, cmd.opts()))();
    };

  const org = admin.command('org').description('Organisations');
  org.command('create <name>').action(act((c, [name]) => c.call('POST', '/orgs', { name })));
  org.command('list').action(act((c) => c.call('GET', '/orgs')));

  const app = admin.command('app').description('Applications (labels) and their API keys');
  app.command('create').requiredOption('--org <org>', 'organisation id or name').requiredOption('--name <name>')
    .option('--origin <url...>', 'allowed origins (several values or repeated; wildcard *. allowed)')
    .option('--token-lifetime <seconds>', 'JWT lifetime in seconds')
    .action(act(async (c, _args, o) => {
      const body: Record<string, unknown> = { org: o.org, name: o.name, origins: Array.isArray(o.origin) ? o.origin : [] };
      if (typeof o.tokenLifetime === 'string') body.tokenLifetime = Number(o.tokenLifetime);
      const r = await c.call<{ applicationId: string; apiKey: string }>('POST', '/apps', body);
      return { applicationId: r.applicationId, apiKey: r.apiKey };
    }));
  app.command('list').action(act((c) => c.call('GET', '/apps')));
  app.command('rotate-key <applicationId>').action(act((c, [id]) => c.call('POST', `/apps/${encodeURIComponent(id ?? '')}/rotate-key`)));
  app.command('revoke-key <applicationId>').action(act((c, [id]) => c.call('POST', `/apps/${encodeURIComponent(id ?? '')}/revoke-key`)));

  const origin = admin.command('origin').description('Allowed origins of an application');
  origin.command('add <applicationId> <origin>').action(act((c, [id, o]) => c.call('POST', `/apps/${encodeURIComponent(id ?? '')}/origins`, { origin: o })));
  origin.command('remove <applicationId> <origin>').action(act((c, [id, o]) => c.call('POST', `/apps/${encodeURIComponent(id ?? '')}/origins/remove`, { origin: o })));

  const version = admin.command('version').description('Connector versions and their policy');
  version.command('add <id>').option('--uri <os=url...>', `installer URI per OS (${OS_NAMES.join(', ')}); several values or repeated`)
    .option('--recommended').option('--mandatory').option('--blocked', 'mark the version as not allowed')
    .action(act((c, [id], o) => {
      const uris: Record<string, string> = {};
      const pairs = Array.isArray(o.uri) ? o.uri.filter((x): x is string => typeof x === 'string') : [];
      for (const pair of pairs) {
        const at = pair.indexOf('=');
        if (at < 1) throw new Error(`--uri expects OS=URL, got "${pair}"`);
        uris[pair.slice(0, at)] = pair.slice(at + 1);
      }
      return c.call('PUT', `/versions/${encodeURIComponent(id ?? '')}`, { uris, recommended: o.recommended === true, mandatory: o.mandatory === true, allowed: o.blocked !== true });
    }));
  version.command('list').action(act((c) => c.call('GET', '/versions')));
  version.command('registration-key <id>').description('issue another registration key')
    .option('--max-devices <n>', 'devices this key may register (default: the DS default, 10000)')
    .action(act((c, [id], o) => c.call('POST', `/versions/${encodeURIComponent(id ?? '')}/registration-keys`, typeof o.maxDevices === 'string' ? { maxDevices: Number(o.maxDevices) } : {})));
  admin.command('versions').description('list versions').action(act((c) => c.call('GET', '/versions')));

  admin.command('devices').description('list registered devices').action(act((c) => c.call('GET', '/devices')));
  admin.command('transactions').description('transaction counters').action(act((c) => c.call('GET', '/transactions')));
  admin.command('logs').addOption(new Option('--device <id>')).action(act((c, _a, o) => c.call('GET', `/logs${typeof o.device === 'string' ? `?device=${encodeURIComponent(o.device)}` : ''}`)));
  admin.command('rotate-signing-key').description('new signing key; the previous one stays published until the next rotation')
    .addOption(new Option('--purpose <purpose>', 'token: application JWTs (/.well-known/jwks.json); sync: answers to devices, pinned by them').choices([...KEY_PURPOSES]).default('token'))
    .action(act((c, _a, o) => c.call('POST', '/signing-keys/rotate', { purpose: o.purpose })));
}
