import { type Command, Option } from 'commander';
import { registerAdminCli, type CliIo } from './admin/cli.js';
import { DEFAULT_DS_PORT, defaultDataDir, startDistributionService } from './server.js';

const stdoutIo: CliIo = { out: (text) => process.stdout.write(text) };

interface ServerOptions {
  port: string;
  host: string;
  dataDir?: string;
  databaseUrl?: string;
  jwtAlg: 'ES256' | 'RS256';
  logLevel: string;
  trustProxy?: boolean;
  publicHost: string[];
  keyEncryptionKeyFile?: string;
}

function urlHasPassword(value: string): boolean {
  try {
    return new URL(value).password !== '';
  } catch {
    // Not a URL (a libpq key=value string, say): refuse one that names a password.
    return /password\s*=/i.test(value);
  }
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

const LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** Adds `t1c ds` (run the server) and `t1c ds admin …` to the CLI. */
export function registerDsCommands(program: Command, io: CliIo = stdoutIo): void {
  const ds = program.command('ds').description('Run the Distribution Service (API keys → JWTs, origins, devices, versions)')
    .option('--port <n>', 'TCP port', String(DEFAULT_DS_PORT))
    .option('--host <addr>', 'address to bind', '127.0.0.1')
    .option('--data-dir <dir>', 'data directory (embedded database, admin token)')
    .option('--database-url <url>', 'postgres://… to use a PostgreSQL server instead of the embedded database; with a password, use env T1C_DS_DATABASE_URL or PGPASSWORD instead (ps shows flags to every user)')
    .addOption(new Option('--jwt-alg <alg>', 'JWT signing algorithm').choices(['ES256', 'RS256']).default('ES256'))
    .addOption(new Option('--log-level <level>').choices([...LEVELS]).default('info'))
    .option('--trust-proxy', 'take client addresses from X-Forwarded-For (behind a load balancer)')
    .option('--key-encryption-key-file <path>', 'key sealing the signing keys at rest (32 bytes, base64); else T1C_DS_KEY_ENCRYPTION_KEY; required with --database-url, generated in the data dir for the embedded database')
    .option('--public-host <name[:port]>', 'a name a reverse proxy on this machine forwards as Host (repeatable); on loopback every other Host is refused', collect, [])
    .action(async (opts: ServerOptions) => {
      const port = Number(opts.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`invalid --port ${opts.port}`);
      if (opts.databaseUrl !== undefined && urlHasPassword(opts.databaseUrl)) {
        throw new Error('--database-url must not hold a password: a flag is visible to every user (ps). Set T1C_DS_DATABASE_URL, or PGPASSWORD, or use ~/.pgpass');
      }
      const level = LEVELS.find((l) => l === opts.logLevel) ?? 'info';
      const running = await startDistributionService({
        port, host: opts.host, dataDir: opts.dataDir ?? defaultDataDir(), databaseUrl: opts.databaseUrl ?? process.env.T1C_DS_DATABASE_URL,
        jwtAlg: opts.jwtAlg, logLevel: level, trustProxy: opts.trustProxy === true, publicHosts: opts.publicHost,
        keyEncryptionKeyFile: opts.keyEncryptionKeyFile,
      });
      process.stderr.write(`t1c ds listening on ${running.url}\n`);
      process.stderr.write(running.adminTokenPath === null ? 'admin token: from T1C_DS_ADMIN_TOKEN\n' : `admin token file: ${running.adminTokenPath}\n`);
      await new Promise<void>((resolve) => {
        const stop = (): void => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          resolve();
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
      await running.close();
    });
  registerAdminCli(ds, io, { dsUrl: `http://127.0.0.1:${DEFAULT_DS_PORT}`, dataDir: defaultDataDir });
}
