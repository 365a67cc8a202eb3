import { X509Certificate } from 'node:crypto';
import type { Command } from 'commander';
import { loadSettings } from '../config/load.js';
import { installCommands, runTrustCommands, uninstallCommands, type TrustInput } from '../os/trust-store.js';

async function trustInput(dataDir: string | undefined): Promise<TrustInput> {
  const settings = loadSettings({ flags: dataDir ? { dataDir } : {} });
  const ca = await (await import('../transport/local-ca.js')).ensureLocalCa(settings.dataDir, settings.hostnames);
  const cert = new X509Certificate(ca.caCertPem);
  const cn = /CN=([^\n,]+)/.exec(cert.subject)?.[1] ?? 'T1C Local CA';
  return { caCertPath: ca.caCertPath, nickname: cn, sha1: cert.fingerprint.replace(/:/g, '') };
}

function report(results: ReturnType<typeof runTrustCommands>): void {
  if (results.length === 0) process.stdout.write('no trust store found\n');
  for (const r of results) process.stdout.write(`${r.ok ? 'ok  ' : 'FAIL'} ${r.store}${r.ok ? '' : `: ${r.message}`}\n`);
  if (results.some((r) => !r.ok)) process.exitCode = 2;
}

/** `t1c cert install|uninstall|path`: the local CA in the user's own trust stores. */
export function registerCertCommands(program: Command): void {
  const cert = program.command('cert').description('the per-install local CA used by `t1c api --local-ca`');
  cert.command('install').description('trust the local CA (Linux NSS: Chrome + Firefox; macOS login keychain; Windows user Root)')
    .option('--data-dir <dir>', 'data directory holding the CA')
    .action(async (o: { dataDir?: string }) => report(runTrustCommands(installCommands(process.platform, await trustInput(o.dataDir)))));
  cert.command('uninstall').description('remove the local CA from those trust stores')
    .option('--data-dir <dir>', 'data directory holding the CA')
    .action(async (o: { dataDir?: string }) => report(runTrustCommands(uninstallCommands(process.platform, await trustInput(o.dataDir)))));
  cert.command('path').description('print the CA certificate path')
    .option('--data-dir <dir>', 'data directory holding the CA')
    .action(async (o: { dataDir?: string }) => {
      process.stdout.write(`${(await trustInput(o.dataDir)).caCertPath}\n`);
    });
}
