import type { Answer, Client } from './http.js';

/** How to run a command as the other OS user (e.g. `setpriv` inside the test's throw-away root). */
export type RunAsUser = (argv: readonly string[]) => Promise<{ readonly code: number | null; readonly stdout: string; readonly stderr: string }>;

const FETCH_ONE = `
const [method, url] = process.argv.slice(1);
const res = await fetch(url, { method });
const text = await res.text();
process.stdout.write(JSON.stringify({ status: res.status, headers: Object.fromEntries(res.headers), text }));
`;

/**
 * Requests made as another OS user (the connector serves only its own user): each one a short
 * Node child run by `runAsUser`, printing the answer as JSON. Plain HTTP, no body.
 */
export function clientAsUser(base: string, runAsUser: RunAsUser): Client {
  return {
    call: async (method, path, options) => {
      if (options?.body !== undefined || options?.headers !== undefined) throw new Error('clientAsUser: no body or headers');
      const r = await runAsUser([process.execPath, '--input-type=module', '-e', FETCH_ONE, method, new URL(path, base).href]);
      if (r.code !== 0) throw new Error(`request as the user failed (${r.code}): ${r.stderr}`);
      const parsed = JSON.parse(r.stdout) as { status: number; headers: Record<string, string>; text: string };
      let json: unknown;
      try {
        json = JSON.parse(parsed.text);
      } catch {
        json = undefined;
      }
      return { status: parsed.status, headers: parsed.headers, text: parsed.text, json } satisfies Answer;
    },
    close: () => undefined,
  };
}
