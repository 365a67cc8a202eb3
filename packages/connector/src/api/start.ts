import type { AddressInfo } from 'node:net';
import { loadSettings } from '../config/load.js';
import type { Settings } from '../config/settings.js';
import { readEmvCaKeyFile } from '../config/emv-ca-keys.js';
import { systemPinDialog, type PinDialog } from '../os/pin-dialog.js';
import { SandboxClient, type SandboxSpawn } from '../sandbox/client.js';
import { RemoteCardService } from '../sandbox/remote-card-service.js';
import { DeviceKey } from '../security/device-key.js';
import { Pkcs11LibraryConfig } from '../config/pkcs11-libraries.js';
import { SeenCiphertexts } from '../security/seen-ciphertexts.js';
import { JwtVerifier } from '../security/jwt.js';
import { ensurePrivateDir } from '../security/private-file.js';
import { servedHosts } from '../security/served-hosts.js';
import { checkAllowOriginPatterns } from '../security/cors.js';
import { resolveTransport } from '../transport/tls.js';
import { buildApp } from './app.js';
import { BulkPins } from './bulk-pins.js';
import { DsSync, dsLink, RecentLogs, type DsLink } from '../ds-client/index.js';
import { CONNECTOR_VERSION } from '../version.js';
import { RotatingLogFile } from '../logging/rotating-log-file.js';
import { selfCommand } from '../os/self-command.js';
import type { OsName } from '@t1c/ds/client';
import { SameUserGuard, systemPeerUserLookup } from '../os/peer-user/index.js';
import { AgentLink } from '../registry/agent-link.js';
import { systemClipboard } from '../registry/clipboard.js';
import { registryChannelOf, type RegistryChannel } from '../registry/channel-address.js';

export interface StartApiOptions extends Partial<Settings> {
  /** Config file instead of `<configDir>/config.json`. */
  readonly configFile?: string;
  /** Environment to read T1C_* from; default process.env. */
  readonly env?: NodeJS.ProcessEnv;
  /** Where JSON log lines go; default the `logFile` setting, else stdout. */
  readonly logStream?: NodeJS.WritableStream;
  /** How to start the sandbox; default `node bin/t1c.js sandbox …`. */
  readonly sandboxSpawn?: SandboxSpawn;
  readonly pinDialog?: PinDialog;
  /** Milliseconds since the epoch for PIN lifetimes; tests move it instead of waiting. */
  readonly clock?: () => number;
  /** Run as an agent of the Registry on this channel (`t1c api --registry`). */
  readonly registryChannel?: RegistryChannel;
}

export interface RunningApi {
  readonly url: string;
  readonly port: number;
  readonly settings: Settings;
  readonly deviceKeyPem: string;
  /** The local CA (PEM) when serving with --local-ca. */
  readonly caCertPem: string | undefined;
  /** The local CA was made on this start: nothing trusts it yet (the CLI offers `t1c cert install`). */
  readonly caNeedsTrust: boolean;
  sandboxPid(): number | undefined;
  /** One DS sync now (no-op without --ds-url); resolves when it succeeded or failed. */
  syncWithDs(): Promise<void>;
  close(): Promise<void>;
}

function dsOsName(): OsName {
  if (process.platform === 'win32') return process.arch === 'ia32' ? 'win32' : 'win64';
  if (process.platform === 'darwin') return process.arch === 'arm64' ? 'macosarm' : 'macos';
  return 'unix';
}

/** Redacted everywhere pino might see them, in case a future log line includes a body or headers. */
export const REDACT_PATHS = [
  'req.headers.authorization', 'req.headers["x-pace-pin"]', 'req.headers["x-pace-can"]', 'req.headers.cookie',
  'pin', '*.pin', 'jwt', '*.jwt', 'body', '*.body',
];

/**
 * glibc keeps freed memory at the top of its heap below a trim threshold that it raises after a
 * large block is freed, which happens while Node starts: about 11 MiB per idle process stays
 * mapped for nothing. A fixed threshold hands it back. glibc reads it once, at process start:
 * set here for the sandbox, by the systemd unit for the API (other C libraries ignore it).
 */
export const MALLOC_ENV: Readonly<Record<string, string>> = { MALLOC_TRIM_THRESHOLD_: '131072' };

export function sandboxArgs(settings: Settings): string[] {
  return ['sandbox', ...settings.virtualCards.flatMap((v) => ['--virtual-card', `beid-${v}`]), ...(settings.virtualCardData ? ['--virtual-card-data', settings.virtualCardData] : []),
    ...(settings.emvCaKeys ? ['--emv-ca-keys', settings.emvCaKeys] : []), ...(settings.pcsc ? [] : ['--no-pcsc'])];
}

/** Starts the local API (and its sandbox child) in this process. */
export async function startApi(options: StartApiOptions = {}): Promise<RunningApi> {
  // registryChannel (the --registry flag) is no setting: startWithSandbox reads it from options.
  const { configFile, env, logStream, sandboxSpawn, pinDialog, clock, registryChannel: _flagChannel, ...flags } = options;
  const settings = loadSettings({ flags, ...(env ? { env } : {}), ...(configFile ? { configFile } : {}) });
  checkAllowOriginPatterns(settings.allowOrigins);
  // A wrong key file stops the start here, with the file's problems, not in the card process.
  if (settings.emvCaKeys) readEmvCaKeyFile(settings.emvCaKeys);
  ensurePrivateDir(settings.dataDir);
  // The sandbox loads in its own process while this one makes its keys and routes; the API
  // still listens only once the sandbox answered.
  const sandbox = new SandboxClient({
    spawn: sandboxSpawn ?? { ...selfCommand(sandboxArgs(settings)), env: { ...MALLOC_ENV, ...(env ?? process.env) } },
  });
  const sandboxStarted = sandbox.start();
  // Awaited before listening; this only keeps an early failure from counting as unhandled meanwhile.
  sandboxStarted.catch(() => undefined);
  try {
    return await startWithSandbox(options, settings, sandbox, sandboxStarted);
  } catch (error) {
    await sandbox.close();
    throw error;
  }
}

async function startWithSandbox(options: StartApiOptions, settings: Settings, sandbox: SandboxClient, sandboxStarted: Promise<void>): Promise<RunningApi> {
  const { env, logStream, pinDialog, clock } = options;
  const deviceKey = DeviceKey.loadOrCreate(settings.dataDir);
  const transport = await resolveTransport(settings);
  const logFile = logStream === undefined && settings.logFile !== undefined ? new RotatingLogFile(settings.logFile) : undefined;
  const logs = new RecentLogs(logStream ?? logFile ?? process.stdout);
  let sync: DsSync | undefined;
  let link: DsLink | undefined;
  let app: Awaited<ReturnType<typeof buildApp>> | undefined;
  const earlyErrors: string[] = [];
  // A refused DS answer (bad signature, tampered data) must be visible: it is what an attack looks like.
  const syncFailed = (error: unknown): void => {
    const reason = error instanceof Error ? error.message : String(error);
    if (app) app.log.warn({ reason }, 'DS sync failed; keeping the last verified answer');
    else earlyErrors.push(reason);
  };
  if (settings.dsUrl) {
    sync = await DsSync.open({
      dsUrl: settings.dsUrl, registrationKey: settings.registrationKey, dataDir: settings.dataDir, deviceKey: deviceKey.signingKey,
      version: CONNECTOR_VERSION, os: dsOsName(), onError: syncFailed,
    });
    // Registering waits for nobody; a registered device syncs after a random delay.
    link = dsLink(sync, logs);
  }
  const jwt = settings.jwt
    ? await JwtVerifier.create({
      ...(settings.jwksUrl ? { jwksUrl: settings.jwksUrl } : {}),
      ...(settings.jwtPublicKey ? { publicKeyFile: settings.jwtPublicKey } : {}),
      ...(settings.jwtIssuer ? { issuer: settings.jwtIssuer } : {}),
      ...(settings.jwtAudience ? { audience: settings.jwtAudience } : {}),
      ...(link ? { synced: link.keySource } : {}),
    })
    : undefined;
  const seenPins = SeenCiphertexts.open(settings.dataDir, deviceKey.fingerprint);
  let registryLink: AgentLink | undefined;
  try {
    const logger = { level: settings.logLevel, redact: { paths: REDACT_PATHS, censor: '[redacted]' }, stream: logs };
    const dsOrigins = link;
    // The allow-list is the configured origins plus whatever the last DS sync said.
    const policy = dsOrigins ? { ...settings, get allowOrigins(): string[] { return [...settings.allowOrigins, ...dsOrigins.origins()]; } } : settings;
    const bulkPins = new BulkPins({ lifetimeMs: settings.bulkPinLifetimeSeconds * 1000, maxSignatures: settings.bulkPinMaxSignatures, now: clock ?? Date.now });
    const service = { url: `${transport.scheme}://${transport.hostname}`, port: settings.port };
    // An agent is also reached through its Registry's well-known port (spliced connections).
    const registryPorts: number[] = [];
    const peerLookup = await systemPeerUserLookup();
    const sameUser = peerLookup ? new SameUserGuard(peerLookup) : undefined;
    app = await buildApp({
      cards: new RemoteCardService(sandbox, (readers) => bulkPins.observe(readers)),
      deviceKey,
      jwt,
      policy,
      ...(link && settings.dsUrl ? { ds: { url: settings.dsUrl, link } } : {}),
      pinDialog: pinDialog ?? systemPinDialog(env ?? process.env),
      bulkPins,
      seenPins,
      pkcs11: new Pkcs11LibraryConfig(settings.dataDir),
      now: clock ?? Date.now,
      service,
      hosts: servedHosts({ scheme: transport.scheme, names: transport.names, port: () => service.port, otherPorts: () => registryPorts }),
    }, { logger, https: transport.https, sameUser });
    if (!sameUser) app.log.warn(`no way to tell the OS user behind a connection on ${process.platform}: every local user can reach this connector`);
    if (jwt && !jwt.configured) app.log.warn('not configured: no Distribution Service (--ds-url, DsUrl) and no JWT key (--jwks-url, --jwt-public-key); every request is refused with 112013 until one is set');
    if (transport.caRenewed) app.log.warn('the local CA was made anew for the configured host names; run `t1c cert install` to trust it (it removes the previous one)');
    // Started at login (launcher, LaunchAgent, unit) nobody sees the CLI's offer: the log says it too.
    else if (transport.caCreated) app.log.warn('a local CA was made for HTTPS on localhost; browsers accept it once the user runs `t1c cert install`');
    for (const reason of earlyErrors.splice(0)) app.log.warn({ reason }, 'DS state not restored');
    await sandboxStarted;
    const logTo = app;
    // The flag wins over the `registry` setting (an administrator's switch for every user).
    const registryChannel = options.registryChannel ?? registryChannelOf(settings.registry);
    const agent = registryChannel === undefined ? undefined : await AgentLink.start({
      channel: registryChannel,
      lookup: peerLookup,
      clipboard: systemClipboard(env ?? process.env),
      onRegistryUser: (user) => sameUser?.allow(user),
      onRegistryPort: (port) => { registryPorts.splice(0, registryPorts.length, port); },
      log: (level, message) => logTo.log[level](message),
    });
    registryLink = agent?.link;
    await app.listen({ host: '127.0.0.1', port: agent?.port ?? settings.port });
    registryLink?.ready((app.server.address() as AddressInfo).port, sandbox.pid);
    sync?.start(sync.deviceId ? 5_000 : 0);
    const port = (app.server.address() as AddressInfo).port;
    service.port = port;
    const started = app;
    return {
      url: `${transport.scheme}://${transport.scheme === 'https' ? transport.hostname : '127.0.0.1'}:${port}`,
      port,
      settings,
      deviceKeyPem: deviceKey.publicKeyPem,
      caCertPem: transport.caCertPem,
      caNeedsTrust: transport.caCreated === true,
      sandboxPid: () => sandbox.pid,
      syncWithDs: async () => { await sync?.syncNow(); },
      close: async () => {
        registryLink?.close();
        await sync?.stop();
        await started.close();
        await sandbox.close();
        seenPins.close();
        logFile?.end();
      },
    };
  } catch (error) {
    registryLink?.close();
    await app?.close().catch(() => undefined);
    seenPins.close();
    logFile?.end();
    throw error;
  }
}
