import { readFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import {
  attachToVpcd, BeidVirtualCard, describeHolderDataFormat, EmvVirtualCard, NO_DIRECTORY_APPLICATIONS, parseHolderData, SPECIMEN_APPLICATIONS, type HolderData,
} from '@t1c/emulator';
import { untilStopSignal } from './until-stop-signal.js';

interface BeidCommandOptions {
  readonly applet: string;
  readonly vpcd: string;
  readonly data?: string;
  readonly pin: string;
  readonly tampered?: boolean;
  readonly printFormat?: boolean;
}

/** Retry interval while vpcd (pcscd) is not there yet or restarts. */
const VPCD_RETRY_MS = 1000;

function parseVpcdAddress(text: string): { host: string; port: number } {
  const match = /^(.+):(\d{1,5})$/.exec(text);
  const port = Number(match?.[2]);
  if (!match?.[1] || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw new Error(`--vpcd must be HOST:PORT, got "${text}"`);
  }
  return { host: match[1], port };
}

function loadHolderData(path: string): HolderData {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new Error(`--data ${path}: ${(error as NodeJS.ErrnoException).code ?? 'cannot be read'}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new Error(`--data ${path}: not JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  try {
    return parseHolderData(json);
  } catch (error) {
    throw new Error(`--data ${path}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** Debian's vpcd config: port 35963 + slot is reader "Virtual PCD 00 <slot>". */
function readerName(port: number): string {
  if (port === 35963 || port === 35964) return `"Virtual PCD 00 0${port - 35963}" (with the default vpcd reader config)`;
  return `the vpcd reader whose CHANNELID (+ slot) is ${port}`;
}

async function runBeid(options: BeidCommandOptions): Promise<void> {
  if (options.printFormat) {
    process.stdout.write(`${describeHolderDataFormat()}\n`);
    return;
  }
  if (options.applet !== '1.7' && options.applet !== '1.8') throw new Error(`--applet must be 1.7 or 1.8, got "${options.applet}"`);
  if (!/^\d{4,12}$/.test(options.pin)) throw new Error('--pin must be 4 to 12 digits');
  const { host, port } = parseVpcdAddress(options.vpcd);
  const holder = options.data ? loadHolderData(options.data) : undefined;
  const card = await BeidVirtualCard.create({
    appletVersion: options.applet, pin: options.pin, tampered: options.tampered ?? false, ...(holder ? { holder } : {}),
  });
  const link = await attachToVpcd(card, { host, port, retryMs: VPCD_RETRY_MS });
  const stopped = untilStopSignal();
  process.stdout.write(
    `BEID ${card.applet} virtual card for ${card.holder.firstNames} ${card.holder.surname}${options.tampered ? ' (tampered)' : ''}, ` +
    `PIN ${options.pin}, serving vpcd at ${host}:${port} = reader ${readerName(port)}.\n` +
    'Start pcscd with the vpcd driver if it is not running; the card connects when vpcd listens. Ctrl-C stops.\n',
  );
  const signal = await stopped;
  await link.close();
  process.stdout.write(`stopped (${signal})\n`);
}

interface EmvCommandOptions {
  readonly vpcd: string;
  readonly pin: string;
  readonly pse: boolean;
  readonly ppse: boolean;
  readonly applications: 'specimen' | 'no-directory';
}

/** `specimen`: Visa credit and Maestro; `no-directory`: the set a terminal finds only from its AID list (with --no-pse --no-ppse). */
const EMV_APPLICATION_SETS = { specimen: SPECIMEN_APPLICATIONS, 'no-directory': NO_DIRECTORY_APPLICATIONS } as const;

async function runEmv(options: EmvCommandOptions): Promise<void> {
  if (!/^\d{4,12}$/.test(options.pin)) throw new Error('--pin must be 4 to 12 digits');
  const { host, port } = parseVpcdAddress(options.vpcd);
  const card = await EmvVirtualCard.create({ pin: options.pin, pse: options.pse, ppse: options.ppse, applications: EMV_APPLICATION_SETS[options.applications] });
  const link = await attachToVpcd(card, { host, port, retryMs: VPCD_RETRY_MS });
  const stopped = untilStopSignal();
  const apps = card.applications.map((a) => `${a.label} (${a.aid}, priority ${a.priority}${a.blocked ? ', blocked' : ''})`).join(', ');
  process.stdout.write(
    `EMV virtual payment card with ${apps}; PSE ${options.pse ? 'yes' : 'no'}, PPSE ${options.ppse ? 'yes' : 'no'}; ` +
    `PIN ${options.pin}; serving vpcd at ${host}:${port} = reader ${readerName(port)}. Ctrl-C stops.\n`,
  );
  const signal = await stopped;
  await link.close();
  process.stdout.write(`stopped (${signal})\n`);
}

export function registerEmulatorCommands(program: Command): void {
  const emulator = program.command('emulator').description('virtual smart cards for tests, demos and CI');
  emulator
    .command('beid')
    .description('run a virtual Belgian eID card in a vpcd reader (pcscd + vsmartcard-vpcd) until SIGINT/SIGTERM')
    .addOption(new Option('--applet <version>', 'applet version: 1.7 (RSA-2048) or 1.8 (EC P-384)').default('1.8'))
    .option('--vpcd <host:port>', 'where vpcd listens', '127.0.0.1:35963')
    .option('--data <file>', 'holder data JSON file (format below, or --print-format)')
    .option('--pin <pin>', 'the card PIN', '1234')
    .option('--tampered', 'alter the identity file after the RRN signed it')
    .option('--print-format', 'print the holder data file format and exit')
    .addHelpText('after', () => `\n${describeHolderDataFormat()}\n`)
    .action(async (options: BeidCommandOptions) => runBeid(options));
  emulator
    .command('emv')
    .description('run a virtual EMV payment card (test keys, specimen data) in a vpcd reader until SIGINT/SIGTERM')
    .option('--vpcd <host:port>', 'where vpcd listens', '127.0.0.1:35963')
    .option('--pin <pin>', 'the offline PIN', '1234')
    .option('--no-pse', 'leave out the contact PSE (1PAY.SYS.DDF01)')
    .option('--no-ppse', 'leave out the PPSE (2PAY.SYS.DDF01)')
    .addOption(new Option('--applications <set>', 'specimen: Visa credit and Maestro; no-directory: a blocked Visa ADF, Visa credit behind it '
      + '(partial name, next occurrence) and Maestro, for terminals reading a card without PSE/PPSE (EMV Book 1 §12.3.3)')
      .choices(Object.keys(EMV_APPLICATION_SETS)).default('specimen'))
    .action(async (options: EmvCommandOptions) => runEmv(options));
}
