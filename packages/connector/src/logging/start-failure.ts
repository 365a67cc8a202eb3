import { RotatingLogFile } from './rotating-log-file.js';

/**
 * Records why `t1c api` (or `t1c registry`) could not start in its log file, as a pino-shaped line (level 60, fatal),
 * for a connector started where nobody sees stderr. Best effort: an unwritable log folder must
 * not hide the original error.
 */
export function logStartFailure(path: string, error: unknown, command = 't1c api'): void {
  try {
    const file = new RotatingLogFile(path);
    const msg = `${command} could not start: ${error instanceof Error ? error.message : String(error)}`;
    file.appendLine(JSON.stringify({ level: 60, time: Date.now(), pid: process.pid, msg }));
    file.end();
  } catch {
    // stderr still carries the error.
  }
}
