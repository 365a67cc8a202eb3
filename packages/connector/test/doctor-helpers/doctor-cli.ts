import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { spawn } from 'node:child_process';
import { collectOutput, T1C_BIN } from '../helpers/run-cli.js';

const resultSchema = z.object({
  id: z.enum(['connector', 'name', 'dnssec', 'proxy', 'certificate', 'cards', 'ds', 'browser']),
  status: z.enum(['ok', 'warn', 'fail', 'info']),
  summary: z.string(),
  details: z.array(z.string()).optional(),
  fix: z.string().optional(),
  command: z.string().optional(),
  setting: z.string().optional(),
});
const reportSchema = z.object({ connectorUrl: z.string(), configFile: z.string(), configFound: z.boolean(), results: z.array(resultSchema), healthy: z.boolean() });
export type JsonResult = z.infer<typeof resultSchema>;

export interface DoctorRun {
  readonly code: number | null;
  readonly healthy: boolean;
  readonly results: readonly JsonResult[];
  check(id: JsonResult['id']): JsonResult;
}

const INHERITED = /^(T1C_|https?_proxy$|all_proxy$|no_proxy$|XDG_)/i;

/**
 * A user of this machine: own HOME, nothing of the test runner's T1C_*, proxy or XDG variables.
 * `env` adds to it.
 */
export function userEnv(home: string, env: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !INHERITED.test(k)));
  // runCli spreads process.env first: the inherited names are blanked explicitly.
  const blanks = Object.fromEntries(Object.keys(process.env).filter((k) => INHERITED.test(k)).map((k) => [k, '']));
  return { ...clean, ...blanks, HOME: home, ...env };
}

/**
 * `t1c doctor --json …` as its own process, optionally under a wrapper such as `faketime`; the
 * JSON is checked against the report's shape.
 */
export async function runDoctorCli(args: readonly string[], env: NodeJS.ProcessEnv, wrapper: readonly string[] = []): Promise<DoctorRun> {
  const argv = [process.execPath, T1C_BIN, 'doctor', '--json', ...args];
  const [command = process.execPath, ...rest] = [...wrapper, ...argv];
  const out = await collectOutput(spawn(command, rest, { env, stdio: ['ignore', 'pipe', 'pipe'] }));
  const parsed = reportSchema.safeParse(JSON.parse(out.stdout));
  if (!parsed.success) throw new Error(`t1c doctor --json printed no report (exit ${String(out.code)}): ${out.stdout}${out.stderr}`);
  const results = parsed.data.results;
  return {
    code: out.code, healthy: parsed.data.healthy, results,
    check(id) {
      const r = results.find((x) => x.id === id);
      if (!r) throw new Error(`no ${id} result`);
      return r;
    },
  };
}

/** A temporary home directory, removed by the returned function. */
export function tempHome(prefix: string): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
