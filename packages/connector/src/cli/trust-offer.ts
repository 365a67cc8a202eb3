import { createInterface } from 'node:readline/promises';
import { selfCommand } from '../os/self-command.js';

const quote = (word: string): string => (/^[\w@%+=:,./-]+$/.test(word) ? word : `"${word.replace(/(["\\$`])/g, '\\$1')}"`);

/** The command a user runs to trust the local CA, as this program was started. */
export function certInstallCommand(dataDir: string | undefined): string {
  const { command, args } = selfCommand(['cert', 'install', ...(dataDir ? ['--data-dir', dataDir] : [])]);
  return [command, ...args].map(quote).join(' ');
}

export interface TrustOfferIo {
  readonly input: NodeJS.ReadableStream & { isTTY?: boolean };
  readonly output: NodeJS.WritableStream & { isTTY?: boolean };
}

/**
 * After the local CA was made, tells the user how to trust it and, on a terminal, asks.
 * Nothing is installed without a "yes": at login (no terminal) the connector only says so,
 * so a trust-store change is never silent.
 */
export async function offerCaTrust(options: { caCertPath: string; dataDir: string | undefined; install: () => Promise<void>; io?: TrustOfferIo }): Promise<void> {
  const io = options.io ?? { input: process.stdin, output: process.stderr };
  const command = certInstallCommand(options.dataDir);
  io.output.write(
    `t1c: a local certificate authority was made for HTTPS on this machine (${options.caCertPath}).\n` +
    `t1c: browsers trust it only after you install it in your trust stores: ${command}\n`,
  );
  if (!io.input.isTTY || !io.output.isTTY) return;
  const rl = createInterface({ input: io.input, output: io.output });
  const abort = new AbortController();
  // The terminal is raw while asking: Ctrl-C is a key, so pass it on as the signal that stops the API.
  rl.once('SIGINT', () => {
    abort.abort();
    process.kill(process.pid, 'SIGINT');
  });
  let answer = '';
  try {
    answer = await rl.question('t1c: install it in your trust stores now? [y/N] ', { signal: abort.signal });
  } catch (error) {
    if (!abort.signal.aborted) throw error;
  } finally {
    rl.close();
  }
  if (!/^y(es)?$/i.test(answer.trim())) {
    io.output.write('t1c: not installed.\n');
    return;
  }
  await options.install();
}
