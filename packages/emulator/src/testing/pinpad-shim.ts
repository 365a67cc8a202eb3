// Test-only (its own subpath, never in the desktop bundle).
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { SOFTHSM2_LIBRARY } from './softhsm-token.js';

const run = promisify(execFile);
const SOURCE = fileURLToPath(new URL('./pkcs11-pinpad/pinpad-shim.c', import.meta.url));
/** libp11-kit-dev's PKCS#11 header (the OASIS v2.40 names). */
const PKCS11_INCLUDE = '/usr/include/p11-kit-1';

/**
 * A PKCS#11 "PIN pad" in front of SoftHSM2 (pkcs11-pinpad/pinpad-shim.c), built with gcc into
 * a fresh directory. Its tokens named in `pinpadLabels` report CKF_PROTECTED_AUTHENTICATION_PATH
 * and take C_Login with a NULL PIN; what the user types on the pad is set with `type()`.
 * `env` must be in the environment of the process that loads the library.
 */
export interface PinpadShim {
  /** The library to load; its directory is private to the test (mode 0700). */
  readonly library: string;
  readonly dir: string;
  readonly env: { readonly T1C_PINPAD_FILE: string; readonly T1C_PINPAD_LOG: string; readonly T1C_PINPAD_LABELS: string };
  /** What the next pad entries will be: the digits typed, the user pressing cancel, or still typing ("wait"). */
  type(entry: string): void;
  /** Resolves once a login waits on the pad (after `type('wait')`). */
  padWaiting(): Promise<void>;
  /** One word per C_Login since the last call: "pad", "cancelled" or "pin" (the application sent one), "waiting" before a pad that waited. */
  takeLog(): string[];
  remove(): void;
}

export async function buildPinpadShim(options: { readonly pinpadLabels: readonly string[] }): Promise<PinpadShim> {
  const dir = mkdtempSync(join(tmpdir(), 't1c-pinpad-'));
  try {
    const library = join(dir, 'libt1c-pinpad-shim.so');
    await run('gcc', [
      '-shared', '-fPIC', '-O2', '-Wall', '-Wextra', '-Werror', `-I${PKCS11_INCLUDE}`,
      `-DWRAPPED_LIBRARY="${SOFTHSM2_LIBRARY}"`, '-o', library, SOURCE, '-ldl',
    ]);
    const typed = join(dir, 'typed');
    const log = join(dir, 'log');
    writeFileSync(log, '');
    return {
      library,
      dir,
      env: { T1C_PINPAD_FILE: typed, T1C_PINPAD_LOG: log, T1C_PINPAD_LABELS: options.pinpadLabels.join(',') },
      // Replaced whole (rename), so a login polling the file never reads it half written.
      type: (entry) => {
        writeFileSync(`${typed}.next`, `${entry}\n`, { mode: 0o600 });
        renameSync(`${typed}.next`, typed);
      },
      padWaiting: async () => {
        for (let i = 0; i < 1500; i++) {
          if (readFileSync(log, 'utf8').split('\n').includes('waiting')) return;
          await sleep(20);
        }
        throw new Error('no login waited on the pad');
      },
      takeLog: () => {
        const words = readFileSync(log, 'utf8').split('\n').filter((w) => w.length > 0);
        writeFileSync(log, '');
        return words;
      },
      remove: () => rmSync(dir, { recursive: true, force: true }),
    };
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}
