// t1cw.exe, the windowless launcher of t1c.exe (packaging/windows/t1cw.c), compiled with
// Debian's MinGW-w64 cross compiler. Deterministic: no timestamp, no compiler ident, no unwind
// tables, stripped, no C runtime; the same compiler gives the same bytes.
import { fileURLToPath } from 'node:url';
import { run } from '../run.mjs';

export const LAUNCHER = 't1cw.exe';
const SOURCE = fileURLToPath(new URL('./t1cw.c', import.meta.url));
const CC = 'x86_64-w64-mingw32-gcc';

/** Compiles the launcher to `outfile`. */
export function buildWindowsLauncher(outfile) {
  try {
    run(CC, [
      '-std=c11', '-Os', '-Wall', '-Wextra', '-Werror', '-municode', '-ffreestanding',
      '-fno-asynchronous-unwind-tables', '-fno-ident', '-nostdlib', '-e', 'start',
      // GUI subsystem: Windows opens no console for it.
      '-mwindows', '-Wl,--subsystem,windows', '-Wl,--no-insert-timestamp', '-s',
      '-o', outfile, SOURCE, '-lkernel32', '-luser32',
    ]);
  } catch (error) {
    if (error instanceof Error && /ENOENT/.test(error.message)) throw new Error(`${CC} not found: apt-get install gcc-mingw-w64-x86-64`);
    throw error;
  }
  return outfile;
}
