import { Option, type Command } from 'commander';
import { defaultRegistryLogFile } from '../config/paths.js';
import { DEFAULT_PORT } from '../config/settings.js';
import { RotatingLogFile } from '../logging/rotating-log-file.js';
import { logStartFailure } from '../logging/start-failure.js';
import { DEFAULT_AGENT_PORTS, parsePortRange } from '../registry/port-range.js';
import { DEFAULT_CHANNEL_PORT, defaultRegistrySocket, describeChannel } from '../registry/channel-address.js';
import { REGISTRY_MODES, registryChannel, registrySettings, type RegistrySettings } from '../registry/settings.js';
import { explainListenError } from './listen-errors.js';
import { untilStopSignal } from './until-stop-signal.js';

interface RegistryFlags {
  port?: string;
  mode?: RegistrySettings['mode'];
  socket?: string;
  channelPort?: string;
  agentPorts?: string;
  allowOrigin?: string[];
  allowNoOrigin?: boolean;
  dataDir?: string;
  logLevel?: RegistrySettings['logLevel'];
  tlsCert?: string;
  tlsKey?: string;
  logFile?: string | true;
}

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

export function registryFlagsToSettings(f: RegistryFlags): RegistrySettings {
  if ((f.tlsCert === undefined) !== (f.tlsKey === undefined)) throw new Error('t1c registry: --tls-cert and --tls-key go together (the certificate and its private key, PEM files)');
  return registrySettings({
    ...(f.port !== undefined ? { port: Number(f.port) } : {}),
    ...(f.mode ? { mode: f.mode } : {}),
    ...(f.socket ? { socketPath: f.socket } : {}),
    ...(f.channelPort !== undefined ? { channelPort: Number(f.channelPort) } : {}),
    ...(f.agentPorts ? { agentPorts: parsePortRange(f.agentPorts) } : {}),
    ...(f.allowOrigin ? { allowOrigins: f.allowOrigin } : {}),
    ...(f.allowNoOrigin !== undefined ? { allowNoOrigin: f.allowNoOrigin } : {}),
    ...(f.dataDir ? { dataDir: f.dataDir } : {}),
    ...(f.logLevel ? { logLevel: f.logLevel } : {}),
    ...(f.tlsCert !== undefined && f.tlsKey !== undefined ? { tls: { cert: f.tlsCert, key: f.tlsKey } } : {}),
  });
}

/** `t1c registry`: one per shared host (Citrix, RDS, a multi-user Linux), run as root or a service user. */
export function registerRegistryCommands(program: Command): void {
  program.command('registry')
    .description('the Registry of a shared host: well-known port, one agent (t1c api --registry) per user (see packages/connector/README.md "Shared hosts")')
    .option('--port <port>', `TCP port on 127.0.0.1 (default ${DEFAULT_PORT}; 0 picks a free one)`)
    .addOption(new Option('--mode <mode>', 'how a browser is bound to its user\'s agent (default ours)').choices(REGISTRY_MODES))
    .option('--socket <path>', `Unix socket agents register on (Linux, macOS; default ${defaultRegistrySocket()})`)
    .option('--channel-port <port>', `agents register over TCP on 127.0.0.1:PORT instead of the socket (Windows' channel; default there ${DEFAULT_CHANNEL_PORT})`)
    .option('--agent-ports <from-to>', `ports handed to agents (default ${DEFAULT_AGENT_PORTS.from}-${DEFAULT_AGENT_PORTS.to})`)
    .option('--allow-origin <origin>', 'web origin allowed to call the Registry itself (consent modes; repeatable)', collect)
    .option('--no-allow-no-origin', 'refuse requests without an Origin header')
    .option('--data-dir <dir>', 'keeps the consent key, so consents survive a restart')
    .option('--tls-cert <pem>', 'certificate (PEM) for the Registry\'s own answers over HTTPS; with --tls-key. Mode ours passes TLS through to each agent untouched')
    .option('--tls-key <pem>', 'private key (PEM) of --tls-cert; readable by the Registry\'s user only')
    .addOption(new Option('--log-level <level>', 'log level').choices(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']))
    .option('--log-file [file]', `log to this file instead of stdout (5 MiB, then rotated; 2 kept); without a file, ${defaultRegistryLogFile()} (the Windows service uses it)`)
    .action(async (flags: RegistryFlags) => {
      const { startRegistry } = await import('../registry/start.js');
      const logFile = flags.logFile === true ? defaultRegistryLogFile() : flags.logFile;
      // A service's stdout goes nowhere: its log, and the reason of a failed start, go to the file.
      const logStream = logFile === undefined ? undefined : new RotatingLogFile(logFile);
      let registry: Awaited<ReturnType<typeof startRegistry>>;
      try {
        registry = await startRegistry(registryFlagsToSettings(flags), logStream ? { logStream } : {});
      } catch (error) {
        const explained = explainListenError(error, 't1c registry');
        logStream?.end();
        if (logFile !== undefined) logStartFailure(logFile, explained, 't1c registry');
        throw explained;
      }
      const stopped = untilStopSignal();
      process.stderr.write(`t1c registry listening on ${registry.url} (mode ${registry.settings.mode}, agents on ${describeChannel(registryChannel(registry.settings))})\n`);
      await stopped;
      await registry.close();
      logStream?.end();
    });
}
