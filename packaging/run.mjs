// One way for the build scripts to run a tool: it must succeed, or its own words become the error.
import { spawnSync } from 'node:child_process';

/** Runs `command args` (no shell); throws with the tool's output when it fails. */
export function run(command, args, options = {}) {
  const r = spawnSync(command, args, { encoding: 'utf8', ...options });
  if (r.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} failed (${r.status ?? r.signal}): ${r.stderr || r.stdout || r.error?.message || ''}`);
  }
}
