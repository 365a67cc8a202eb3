import { Option, type Command } from 'commander';
import type { AppletVersion } from '@t1c/smartcard/beid';
import { readRegistrationKeyFile, REGISTRATION_KEY_FLAG_REFUSED } from '../config/registration-key.js';
import { DEFAULT_PORT, type Settings } from '../config/settings.js';
import { defaultLogFile } from '../config/paths.js';
import { logStartFailure } from '../logging/start-failure.js';
import { registerCertCommands } from './cert-commands.js';
import { explainListenError } from './listen-errors.js';
import { untilStopSignal } from './until-stop-signal.js';
import { defaultRegistryChannel, describeChannel, registryChannelOf } from '../registry/channel-address.js';

interface ApiFlags {
  port?: string;
  http?: boolean;
  localCa?: boolean;
  tlsCert?: string;
  tlsKey?: string;
  hostname?: string[];
  allowOrigin?: string[];
  allowNoOrigin?: boolean;
  jwt?: boolean;
  jwksUrl?: string;
  jwtPublicKey?: string;
  jwtIssuer?: string;
  jwtAudience?: string;
  dsUrl?: string;
  registrationKey?: string;
  registrationKeyFile?: string;
  allowPlainPin?: boolean;
  virtualCard?: string[];
  virtualCardData?: string;
  pcsc?: boolean;
  dataDir?: string;
  config?: string;
  logLevel?: Settings['logLevel'];
  logFile?: string | true;
  registry?: string | boolean;
}

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

/** `beid`, `beid-1.8`, `beid-1.7`, `beid:1.7` → applet version. */
export function parseVirtualCard(value: string): AppletVersion {
  const m = /^beid(?:[-:@ ]?(1\.7|1\.8))?$/.exec(value.trim());
  if (!m) throw new Error(`--virtual-card: expected beid, beid-1.7 or beid-1.8, got "${value}"`);
  return m[1] === '1.7' ? '1.7' : '1.8';
}

/** Flags → settings; only what was given, so env and config file fill the rest. */
export function flagsToSettings(f: ApiFlags): Partial<Settings> {
  const out: Partial<Settings> = {};
  if (f.port !== undefined) out.port = Number(f.port);
  if (f.http) out.transport = 'http';
  else if (f.tlsCert || f.tlsKey) out.transport = 'tls';
  else if (f.localCa) out.transport = 'local-ca';
  if (f.tlsCert) out.tlsCert = f.tlsCert;
  if (f.tlsKey) out.tlsKey = f.tlsKey;
  if (f.hostname) out.hostnames = f.hostname;
  if (f.allowOrigin) out.allowOrigins = f.allowOrigin;
  if (f.allowNoOrigin !== undefined) out.allowNoOrigin = f.allowNoOrigin;
  if (f.jwt === false) out.jwt = false;
  if (f.jwksUrl) out.jwksUrl = f.jwksUrl;
  if (f.jwtPublicKey) out.jwtPublicKey = f.jwtPublicKey;
  if (f.jwtIssuer) out.jwtIssuer = f.jwtIssuer;
  if (f.jwtAudience) out.jwtAudience = f.jwtAudience;
  if (f.dsUrl) out.dsUrl = f.dsUrl;
  if (f.registrationKey !== undefined) throw new Error(REGISTRATION_KEY_FLAG_REFUSED);
  if (f.registrationKeyFile !== undefined) out.registrationKey = readRegistrationKeyFile(f.registrationKeyFile);
  if (f.allowPlainPin) out.allowPlainPin = true;
  if (f.virtualCard) out.virtualCards = f.virtualCard.map(parseVirtualCard);
  if (f.virtualCardData) out.virtualCardData = f.virtualCardData;
  if (f.pcsc === false) out.pcsc = false;
  if (f.dataDir) out.dataDir = f.dataDir;
  if (f.logLevel) out.logLevel = f.logLevel;
  if (f.logFile !== undefined) out.logFile = f.logFile === true ? defaultLogFile() : f.logFile;
  return out;
}

/** `t1c api` (the local API server), `t1c sandbox` (its card process) and `t1c cert`. */
export function registerApiCommands(program: Command): void {
  program.command('api')
    .description('start the local T1C v3 API on 127.0.0.1 (see packages/connector/README.md)')
    .option('--port <port>', `TCP port (default ${DEFAULT_PORT}; 0 picks a free one)`)
    .option('--http', 'plain HTTP on 127.0.0.1')
    .option('--local-ca', 'HTTPS with a per-install CA and a localhost leaf (default transport)')
    .option('--tls-cert <file>', 'HTTPS with a partner certificate (PEM) for a name resolving to 127.0.0.1')
    .option('--tls-key <file>', 'private key (PEM) of --tls-cert')
    .option('--hostname <name>', 'extra DNS name this connector serves (Host check) and the local CA certifies (repeatable)', collect)
    .option('--allow-origin <origin>', 'allow a web origin, exact or https://*.example.org (repeatable)', collect)
    .option('--allow-no-origin', 'accept requests without an Origin header (non-browser clients; default)')
    .option('--no-allow-no-origin', 'refuse requests without an Origin header')
    .option('--no-jwt', 'do not require a JWT (development only)')
    .option('--jwks-url <url>', 'verify JWTs against this JWKS (cached; refetched on unknown kid); https://, or http:// to loopback')
    .option('--jwt-public-key <file>', 'verify JWTs against this public key (SPKI PEM or certificate)')
    .option('--jwt-issuer <iss>', 'required JWT issuer')
    .option('--jwt-audience <aud>', 'required JWT audience')
    .option('--ds-url <url>', 'Distribution Service (https://, or http:// to loopback): register, then sync allowed origins, JWT keys, config and version policy')
    .option('--registration-key-file <file>', 'file holding the registration key for the first start with --ds-url; or env T1C_REGISTRATION_KEY (never on the command line: ps shows it to every user)')
    // Refused with a message pointing at the file and the environment, rather than "unknown option".
    .addOption(new Option('--registration-key <key>').hideHelp())
    .option('--allow-plain-pin', 'accept PINs that are not encrypted with the device key')
    .option('--virtual-card <type>', 'attach a virtual eID reader: beid (1.8), beid-1.7, beid-1.8 (repeatable)', collect)
    .option('--virtual-card-data <file>', 'holder data JSON for the virtual cards (format: t1c emulator beid --print-format)')
    .option('--no-pcsc', 'do not use PC/SC (virtual readers only)')
    .option('--data-dir <dir>', 'per-user data directory (keys, CA); env T1C_DATA_DIR')
    .option('--config <file>', 'JSON config file; env T1C_CONFIG')
    .option('--registry [socket]', `run as an agent of \`t1c registry\` (shared hosts): register over its channel, a Unix socket path or 127.0.0.1:PORT (default ${describeChannel(defaultRegistryChannel())}), and listen on the port it gives; config key "registry" (true or the channel)`)
    .addOption(new Option('--log-level <level>', 'log level').choices(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']))
    .option('--log-file [file]', 'log to this file instead of stdout (5 MiB, then rotated; 2 kept); without a file, the per-user log folder (README); env T1C_LOG_FILE')
    .option('--openapi', 'print the OpenAPI 3.1 document of this API (from the routes\' own schemas) and exit')
    .action(async (flags: ApiFlags & { openapi?: boolean }) => {
      if (flags.openapi) {
        const { describeApi } = await import('../api/describe.js');
        process.stdout.write(`${JSON.stringify(await describeApi(), null, 2)}\n`);
        return;
      }
      // Loaded here, not at the top: the sandbox child runs this file too and needs none of it.
      const { startApi } = await import('../api/start.js');
      const settings = flagsToSettings(flags);
      const registryChannel = registryChannelOf(flags.registry);
      const api = await startApi({ ...settings, ...(flags.config ? { configFile: flags.config } : {}), ...(registryChannel ? { registryChannel } : {}) })
        .catch((error: unknown) => {
          const explained = explainListenError(error, 't1c api');
          // Started by the Windows launcher or launchd, stderr is read by nobody: the reason goes in the log too.
          const logFile = settings.logFile ?? process.env.T1C_LOG_FILE;
          if (logFile) logStartFailure(logFile, explained);
          throw explained;
        });
      const stopped = untilStopSignal();
      process.stderr.write(`t1c api listening on ${api.url}\n`);
      if (api.caNeedsTrust) {
        const { localCaPaths } = await import('../transport/local-ca.js');
        const { installLocalCaTrust } = await import('./cert-commands.js');
        const { offerCaTrust } = await import('./trust-offer.js');
        await offerCaTrust({
          caCertPath: localCaPaths(api.settings.dataDir).caCert,
          dataDir: flags.dataDir,
          install: () => installLocalCaTrust(api.settings.dataDir),
        });
      }
      await stopped;
      await api.close();
    });

  program.command('sandbox')
    .description('card sandbox process (started by `t1c api`; talks to it over IPC)')
    .option('--virtual-card <type>', 'attach a virtual eID reader (repeatable)', collect)
    .option('--virtual-card-data <file>', 'holder data JSON for the virtual cards')
    .option('--emv-ca-keys <file>', 'EMV CA public key table (JSON) instead of the payment schemes\' production keys')
    .option('--no-pcsc', 'do not use PC/SC')
    .action(async (flags: { virtualCard?: string[]; virtualCardData?: string; emvCaKeys?: string; pcsc?: boolean }) => {
      const { runSandbox } = await import('../sandbox/server.js');
      await runSandbox({
        virtualCards: (flags.virtualCard ?? []).map(parseVirtualCard), pcsc: flags.pcsc !== false,
        ...(flags.virtualCardData ? { virtualCardData: flags.virtualCardData } : {}),
        ...(flags.emvCaKeys ? { emvCaKeys: flags.emvCaKeys } : {}),
      });
      // Stay alive on the IPC channel; the sandbox exits when its parent disconnects.
      await new Promise<never>(() => undefined);
    });

  registerCertCommands(program);
}
