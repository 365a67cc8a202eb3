import type { RunResult } from './throwaway-root.js';

/** What curl saw: its exit code (0 unless the connection or TLS failed), the status, headers and body. */
export interface CurlAnswer {
  readonly code: number;
  readonly status: number;
  readonly headers: string;
  readonly body: string;
  readonly stderr: string;
}

/** Runs a command as another OS user (setpriv in the test's throw-away root) and collects its output. */
export type RunAsUser = (argv: readonly string[]) => Promise<RunResult>;

/**
 * One request by curl run as another OS user (the connector serves only its own user); the
 * exit code is the caller's to judge (a closed TLS connection is an answer too).
 */
export async function curlAsUser(runAsUser: RunAsUser, url: string, args: readonly string[] = []): Promise<CurlAnswer> {
  const r = await runAsUser(['curl', '-sS', '-i', '-w', '\n%{http_code}', ...args, url]);
  const lines = r.stdout.split('\n');
  const status = Number(lines.pop());
  const text = lines.join('\n');
  const split = text.lastIndexOf('\r\n\r\n');
  return split < 0
    ? { code: r.code ?? -1, status, headers: '', body: text, stderr: r.stderr }
    : { code: r.code ?? -1, status, headers: text.slice(0, split), body: text.slice(split + 4), stderr: r.stderr };
}
