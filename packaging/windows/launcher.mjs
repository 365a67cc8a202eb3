// The two small Windows programs beside t1c.exe, compiled with Debian's MinGW-w64 cross
// compiler: t1cw.exe, the windowless launcher (t1cw.c), and t1csvc.exe, the Registry's service
// wrapper (t1csvc.c). Deterministic: no timestamp, no compiler ident, no unwind tables,
// stripped, no C runtime; the same compiler gives the same bytes.
import { fileURLToPath } from 'node:url';
import { run } from '../run.mjs';

export const LAUNCHER = 't1cw.exe';
export const SERVICE_WRAPPER = 't1csvc.exe';
const CC = 'x86_64-w64-mingw32-gcc';

const PROGRAMS = {
  // GUI subsystem: Windows opens no console for it.
  [LAUNCHER]: { source: 't1cw.c', subsystem: 'windows', libs: ['-lkernel32', '-luser32'] },
  // Console subsystem: started by hand it can say on stderr what it is; the SCM gives it no window.
  [SERVICE_WRAPPER]: { source: 't1csvc.c', subsystem: 'console', libs: ['-lkernel32', '-ladvapi32'] },
};

function compile(name, outfile) {
  const program = PROGRAMS[name];
  const source = fileURLToPath(new URL(`./${program.source}`, import.meta.url));
  try {
    run(CC, [
      '-std=c11', '-Os', '-Wall', '-Wextra', '-Werror', '-municode', '-ffreestanding',
      '-fno-asynchronous-unwind-tables', '-fno-ident', '-nostdlib', '-e', 'start',
      ...(program.subsystem === 'windows' ? ['-mwindows'] : ['-mconsole']),
      `-Wl,--subsystem,${program.subsystem}`, '-Wl,--no-insert-timestamp', '-s',
      '-o', outfile, source, ...program.libs,
    ]);
  } catch (error) {
    if (error instanceof Error && /ENOENT/.test(error.message)) throw new Error(`${CC} not found: apt-get install gcc-mingw-w64-x86-64`);
    throw error;
  }
  return outfile;
}

/** Compiles the windowless launcher to `outfile`. */
export function buildWindowsLauncher(outfile) {
  return compile(LAUNCHER, outfile);
}

/** Compiles the Registry's service wrapper to `outfile`. */
export function buildServiceWrapper(outfile) {
  return compile(SERVICE_WRAPPER, outfile);
}
