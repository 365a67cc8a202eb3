import { X509Certificate } from 'node:crypto';
import { rmSync } from 'node:fs';
import type { Command } from 'commander';
import { loadSettings } from '../config/load.js';
import { installCommands, runTrustCommands, uninstallCommands, type TrustInput } from '../os/trust-store.js';

function describeCa(pem: string, path: string): TrustInput {
  const cert = new X509Certificate(pem);
  const cn = /CN=([^\n,]+)/.exec(cert.subject)?.[1] ?? 'T1C Local CA';
  return { caCertPath: path, nickname: cn, sha1: cert.fingerprint.replace(/:/g, '') };
}

/** The current CA, and the one it replaced when the configured names changed (to take out of the stores). */
async function trustInput(dataDir: string | undefined): Promise<{ current: TrustInput; previous: TrustInput | undefined; previousPath: string }> {
  const settings = loadSettings({ flags: dataDir ? { dataDir } : {} });
  const { ensureLocalCa, previousCaPath } = await import('../transport/local-ca.js');
  const ca = await ensureLocalCa(settings.dataDir, settings.hostnames);
  const previousPath = previousCaPath(settings.dataDir);
  return {
    current: describeCa(ca.caCertPem, ca.caCertPath),
    previous: ca.previousCaCertPem ? describeCa(ca.previousCaCertPem, previousPath) : undefined,
    previousPath,
  };
}

/**
 * Takes the replaced CA out of the stores it is in (a store that never had it fails quietly),
 * then forgets it: its key is already gone, so it can sign nothing more.
 */
function removePrevious(ca: Awaited<ReturnType<typeof trustInput>>): void {
  if (!ca.previous) return;
  for (const r of runTrustCommands(uninstallCommands(process.platform, ca.previous))) {
    if (r.ok) process.stdout.write(`ok   ${r.store}: previous CA ${ca.previous.nickname} removed\n`);
  }
  rmSync(ca.previousPath, { force: true });
}

function report(results: ReturnType<typeof runTrustCommands>): void {
  if (results.length === 0) process.stdout.write('no trust store found\n');
  for (const r of results) process.stdout.write(`${r.ok ? 'ok  ' : 'FAIL'} ${r.store}${r.ok ? '' : `: ${r.message}`}\n`);
  if (results.some((r) => !r.ok)) process.exitCode = 2;
}

/** Trusts the local CA in this user's stores (`t1c cert install`); reports each store on stdout. */
export async function installLocalCaTrust(dataDir: string | undefined): Promise<void> {
  const ca = await trustInput(dataDir);
  removePrevious(ca);
  report(runTrustCommands(installCommands(process.platform, ca.current)));
}

/** `t1c cert install|uninstall|path`: the local CA in the user's own trust stores. */
export function registerCertCommands(program: Command): void {
  const cert = program.command('cert').description('the per-install local CA used by `t1c api --local-ca`');
  cert.command('install').description('trust the local CA (Linux NSS: Chrome + Firefox; macOS login keychain; Windows user Root)')
    .option('--data-dir <dir>', 'data directory holding the CA')
    .action(async (o: { dataDir?: string }) => {
      await installLocalCaTrust(o.dataDir);
    });
  cert.command('uninstall').description('remove the local CA from those trust stores')
    .option('--data-dir <dir>', 'data directory holding the CA')
    .action(async (o: { dataDir?: string }) => {
      const ca = await trustInput(o.dataDir);
      removePrevious(ca);
      report(runTrustCommands(uninstallCommands(process.platform, ca.current)));
    });
  cert.command('path').description('print the CA certificate path')
    .option('--data-dir <dir>', 'data directory holding the CA')
    .action(async (o: { dataDir?: string }) => {
      process.stdout.write(`${(await trustInput(o.dataDir)).current.caCertPath}\n`);
    });
}
