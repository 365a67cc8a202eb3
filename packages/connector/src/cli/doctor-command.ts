import { InvalidArgumentError, type Command } from 'commander';
import { buildDoctorContext, renderReport, reportJson, runDoctor } from '../doctor/index.js';

interface DoctorFlags {
  readonly json?: boolean;
  readonly hostname?: string;
  readonly port?: number;
  readonly dsUrl?: string;
  readonly config?: string;
  readonly trustAnchor?: string;
}

function portNumber(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1 || n > 65535) throw new InvalidArgumentError('a TCP port, 1 to 65535');
  return n;
}

/** `t1c doctor`: checks this computer's set-up for the connector and says what to fix. Changes nothing. */
export function registerDoctorCommand(program: Command): void {
  program.command('doctor')
    .description('check the connector, its name, proxy, certificate, cards and Distribution Service; exit 0 when nothing is broken')
    .option('--json', 'print the results as JSON')
    .option('--hostname <name>', 'the DNS name web pages use for the connector (default: the configured one)')
    .option('--port <n>', 'the connector\'s port (default: the configured one)', portNumber)
    .option('--ds-url <url>', 'the Distribution Service URL (default: the configured one)')
    .option('--config <file>', 'the connector\'s config file (default: the one `t1c api` reads)')
    .option('--trust-anchor <file>', 'a DS or DNSKEY record (zone-file form) to validate the name\'s DNSSEC to when the resolver does not')
    .action(async (flags: DoctorFlags) => {
      const ctx = buildDoctorContext({
        ...(flags.hostname !== undefined ? { hostname: flags.hostname } : {}),
        ...(flags.port !== undefined ? { port: flags.port } : {}),
        ...(flags.dsUrl !== undefined ? { dsUrl: flags.dsUrl } : {}),
        ...(flags.config !== undefined ? { configFile: flags.config } : {}),
        ...(flags.trustAnchor !== undefined ? { trustAnchorFile: flags.trustAnchor } : {}),
      });
      const report = await runDoctor(ctx);
      process.stdout.write(flags.json ? reportJson(report) : renderReport(report));
      process.exitCode = report.healthy ? 0 : 1;
    });
}
