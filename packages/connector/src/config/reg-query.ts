import { spawnSync } from 'node:child_process';
import { win32 } from 'node:path';

/** One value of a registry key as `reg query` prints it; `data` is reg's text form (DWORD as 0x…). */
export interface RegValue {
  readonly name: string;
  readonly type: string;
  readonly data: string;
}

// "    <name>    <REG_TYPE>    <data>": reg separates the columns with four spaces; data may be
// empty (Windows keeps the trailing separator, Wine too) and may itself contain spaces.
const VALUE_LINE = /^ {4}(.+?) {4}(REG_[A-Z0-9_]+)(?: {4}(.*))?$/;

/**
 * The values directly under the queried key, from `reg query <key>` output (Windows' or Wine's
 * reg.exe). Subkey lines and the header are skipped; so is the unnamed default value, whose
 * label reg localises ("(Default)", "(Standard)"…).
 */
export function parseRegQuery(output: string): RegValue[] {
  const values: RegValue[] = [];
  for (const line of output.split(/\r?\n/)) {
    const m = VALUE_LINE.exec(line.replace(/\r$/, ''));
    if (!m) continue;
    const [, name = '', type = '', data = ''] = m;
    if (/^\(.*\)$/.test(name)) continue;
    values.push({ name, type, data });
  }
  return values;
}

export type RegRunner = (args: readonly string[]) => { status: number | null; stdout: string; error?: Error };

/** reg.exe from System32 by full path, so a reg.exe earlier on PATH is never the one asked. */
export function systemReg(env: NodeJS.ProcessEnv = process.env): RegRunner {
  const root = env.SystemRoot ?? env.SYSTEMROOT ?? 'C:\\Windows';
  const exe = win32.join(root, 'System32', 'reg.exe');
  return (args) => {
    const r = spawnSync(exe, [...args], { encoding: 'utf8', windowsHide: true, timeout: 10_000 });
    return { status: r.status, stdout: r.stdout ?? '', ...(r.error ? { error: r.error } : {}) };
  };
}

/**
 * The values of `key`, or undefined when the key does not exist. reg exits 1 both for a
 * missing key and for other failures, with a localised message: a run that printed no value
 * lines and failed is taken as "no key".
 */
export function queryRegistryKey(key: string, run: RegRunner): RegValue[] | undefined {
  const r = run(['query', key]);
  if (r.error) throw new Error(`cannot read the registry key ${key}: ${r.error.message}`);
  if (r.status === 0) return parseRegQuery(r.stdout);
  if (parseRegQuery(r.stdout).length === 0) return undefined;
  throw new Error(`cannot read the registry key ${key}: reg query exited with ${String(r.status)}`);
}
