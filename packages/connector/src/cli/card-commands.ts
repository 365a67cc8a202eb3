import { writeFile } from 'node:fs/promises';
import { Option, type Command } from 'commander';
import { wipe } from '@t1c/smartcard/codec';
import { SmartCardError } from '@t1c/smartcard/errors';
import { PcscBackend } from '@t1c/smartcard/pcsc';
import { LocalCardService } from '../cards/index.js';
import { beidCertificateNames, SandboxError, type ReaderInfo } from '../ipc/index.js';
import { certificateOf, toAddress, toBiometric, toTokenInfo } from '../wire/index.js';
import { describeCardError } from './card-errors.js';

async function withService<T>(work: (service: LocalCardService) => Promise<T>): Promise<T> {
  const service = new LocalCardService([new PcscBackend()]);
  try {
    return await work(service);
  } finally {
    await service.close();
  }
}

/** The reader named (by name or id), or the only reader holding a card. */
async function pickReader(service: LocalCardService, wanted: string | undefined): Promise<ReaderInfo> {
  const readers = await service.listReaders();
  if (wanted !== undefined) {
    const match = readers.find((r) => r.name === wanted || r.id === wanted);
    if (!match) throw new SmartCardError('PCSC_UNKNOWN_READER', `no reader named "${wanted}"`);
    if (!match.card) throw new SmartCardError('PCSC_NO_CARD', `no card in "${match.name}"`);
    return match;
  }
  const withCard = readers.filter((r) => r.card !== null);
  if (readers.length === 0) throw new SmartCardError('PCSC_NO_READERS', 'no card reader found');
  const [only, ...others] = withCard;
  if (!only) throw new SmartCardError('PCSC_NO_CARD', 'no card in any reader');
  if (others.length > 0) throw new SmartCardError('PCSC_INVALID_PARAMETER', 'several readers hold a card: choose one with --reader');
  return only;
}

/** Reads the PIN from standard input without echo handling: meant for pipes and scripts. */
async function readPinFromStdin(): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  const all = Buffer.concat(chunks);
  let end = all.length;
  while (end > 0 && (all[end - 1] === 0x0a || all[end - 1] === 0x0d)) end--;
  const pin = Uint8Array.from(all.subarray(0, end));
  all.fill(0);
  for (const c of chunks) c.fill(0);
  return pin;
}

function print(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** Runs a card command; a card or PC/SC failure becomes one line on stderr and exit code 2. */
async function run(work: () => Promise<void>): Promise<void> {
  try {
    await work();
  } catch (error) {
    if (error instanceof SandboxError) {
      process.stderr.write(`t1c: ${error.message}\n`);
      process.exitCode = 2;
      return;
    }
    if (!(error instanceof SmartCardError)) throw error;
    process.stderr.write(`t1c: ${describeCardError(error)}\n`);
    process.exitCode = 2;
  }
}

export function registerCardCommands(program: Command): void {
  const card = program.command('card').description('talk to smart cards through PC/SC');

  card.command('list').description('list readers as JSON: [{name, card: {atr, module} | null, pinpad}]').action(() =>
    run(() => withService(async (service) => {
      const readers = await service.listReaders();
      print(readers.map((r) => ({ name: r.name, card: r.card ? { atr: r.card.atr, module: r.card.module } : null, pinpad: r.pinpad })));
    })));

  card.command('read').description('read a Belgian eID: {biometric, address, tokenInfo, certificates, integrity}')
    .option('--reader <name>', 'reader name or id (default: the only reader holding a card)')
    .option('--photo <file>', 'also write the photo (JPEG) to this file')
    .action((options: { reader?: string; photo?: string }) =>
      run(() => withService(async (service) => {
        const reader = await pickReader(service, options.reader);
        const readout = await service.call('beid', 'read', reader.id, {});
        if (options.photo) await writeFile(options.photo, readout.photo);
        const certificates = Object.fromEntries(beidCertificateNames.map((name) => [name, certificateOf(readout, name) ?? null]));
        print({
          reader: reader.name,
          applet: readout.applet,
          biometric: toBiometric(readout),
          address: toAddress(readout),
          tokenInfo: toTokenInfo(readout),
          certificates,
          integrity: readout.integrity,
          apduCount: readout.apduCount,
        });
      })));

  card.command('verify-pin').description('verify the PIN read from standard input')
    .requiredOption('--reader <name>', 'reader name or id')
    .action((options: { reader: string }) =>
      run(() => withService(async (service) => {
        const reader = await pickReader(service, options.reader);
        const pin = await readPinFromStdin();
        try {
          await service.call('beid', 'verifyPin', reader.id, { pin: { kind: 'digits', pin } });
        } finally {
          wipe(pin);
        }
        print({ verified: true });
      })));

  card.command('sign').description('sign a SHA-256 digest; PIN from standard input; prints the signature in base64')
    .requiredOption('--reader <name>', 'reader name or id')
    .requiredOption('--digest-sha256 <hex>', 'the 32-byte digest, hexadecimal')
    .addOption(new Option('--key <key>', 'which card key signs').choices(['nonRepudiation', 'authentication']).default('nonRepudiation'))
    .action((options: { reader: string; digestSha256: string; key: 'nonRepudiation' | 'authentication' }) =>
      run(() => withService(async (service) => {
        if (!/^[0-9a-fA-F]{64}$/.test(options.digestSha256)) {
          throw new SmartCardError('DIGEST_INVALID', '--digest-sha256 must be 64 hexadecimal characters');
        }
        const reader = await pickReader(service, options.reader);
        const pin = await readPinFromStdin();
        try {
          const { signature } = await service.call('beid', 'sign', reader.id, {
            key: options.key, algorithm: 'SHA-256', digest: Uint8Array.from(Buffer.from(options.digestSha256, 'hex')),
            pin: { kind: 'digits', pin },
          });
          process.stdout.write(`${Buffer.from(signature).toString('base64')}\n`);
        } finally {
          wipe(pin);
        }
      })));
}
