import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export interface TrustCommand {
  readonly command: string;
  readonly args: readonly string[];
  /** What the command is for, for the report printed to the user. */
  readonly store: string;
  /** Run first when the NSS database does not exist yet. */
  readonly prepare?: { readonly command: string; readonly args: readonly string[] };
}

export interface TrustInput {
  readonly caCertPath: string;
  /** The CA's nickname in stores that key by name (NSS); also the CN for macOS lookups. */
  readonly nickname: string;
  /** SHA-1 fingerprint, hex without colons: how macOS and Windows find the certificate to remove. */
  readonly sha1: string;
  readonly home?: string;
}

/** NSS databases Chrome/Chromium (~/.pki/nssdb) and every Firefox profile (deb, snap, flatpak) use. */
export function nssDatabases(home: string): { dir: string; store: string; exists: boolean }[] {
  const out = [{ dir: join(home, '.pki', 'nssdb'), store: 'Chrome/Chromium (NSS)', exists: existsSync(join(home, '.pki', 'nssdb', 'cert9.db')) }];
  const roots = [join(home, '.mozilla', 'firefox'), join(home, 'snap', 'firefox', 'common', '.mozilla', 'firefox'), join(home, '.var', 'app', 'org.mozilla.firefox', '.mozilla', 'firefox')];
  for (const root of roots) {
    if (!existsSync(root)) continue;
    for (const profile of readdirSync(root)) {
      if (existsSync(join(root, profile, 'cert9.db'))) out.push({ dir: join(root, profile), store: `Firefox profile ${profile}`, exists: true });
    }
  }
  return out;
}

/** The commands that add the CA to the user's trust stores, per OS. Nothing needs admin rights. */
export function installCommands(platform: NodeJS.Platform, input: TrustInput): TrustCommand[] {
  const home = input.home ?? homedir();
  if (platform === 'darwin') {
    return [{ command: 'security', args: ['add-trusted-cert', '-r', 'trustRoot', '-k', join(home, 'Library', 'Keychains', 'login.keychain-db'), input.caCertPath], store: 'macOS login keychain' }];
  }
  if (platform === 'win32') {
    return [{ command: 'certutil', args: ['-user', '-addstore', 'Root', input.caCertPath], store: 'Windows current-user Root store' }];
  }
  return nssDatabases(home).map((db) => ({
    command: 'certutil',
    args: ['-d', `sql:${db.dir}`, '-A', '-t', 'C,,', '-n', input.nickname, '-i', input.caCertPath],
    store: db.store,
    ...(db.exists ? {} : { prepare: { command: 'certutil', args: ['-d', `sql:${db.dir}`, '-N', '--empty-password'] } }),
  }));
}

export function uninstallCommands(platform: NodeJS.Platform, input: TrustInput): TrustCommand[] {
  const home = input.home ?? homedir();
  if (platform === 'darwin') {
    return [{ command: 'security', args: ['delete-certificate', '-Z', input.sha1, join(home, 'Library', 'Keychains', 'login.keychain-db')], store: 'macOS login keychain' }];
  }
  if (platform === 'win32') {
    return [{ command: 'certutil', args: ['-user', '-delstore', 'Root', input.sha1], store: 'Windows current-user Root store' }];
  }
  return nssDatabases(home).filter((db) => db.exists).map((db) => ({
    command: 'certutil', args: ['-d', `sql:${db.dir}`, '-D', '-n', input.nickname], store: db.store,
  }));
}

export interface TrustResult {
  readonly store: string;
  readonly ok: boolean;
  readonly message: string;
}

/** Runs the commands one by one; one store failing does not stop the others. */
export function runTrustCommands(commands: readonly TrustCommand[], env: NodeJS.ProcessEnv = process.env): TrustResult[] {
  return commands.map((c) => {
    if (c.prepare) {
      const dir = c.prepare.args[1]?.replace(/^sql:/, '');
      if (dir) mkdirSync(dir, { recursive: true, mode: 0o700 });
      spawnSync(c.prepare.command, [...c.prepare.args], { env, encoding: 'utf8' });
    }
    const r = spawnSync(c.command, [...c.args], { env, encoding: 'utf8' });
    if (r.error) return { store: c.store, ok: false, message: `${c.command} not found (${process.platform === 'linux' ? 'apt-get install libnss3-tools' : r.error.message})` };
    return { store: c.store, ok: r.status === 0, message: (r.stderr || r.stdout || '').trim().split('\n')[0] ?? '' };
  });
}
