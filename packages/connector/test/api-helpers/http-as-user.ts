import { spawn } from 'node:child_process';
import type { Answer, Client } from './http.js';

/**
 * One request as another OS user (the connector serves only its own user): a short Node child
 * under `setpriv`, with no environment, that prints the answer as JSON. Plain HTTP only.
 */
const FETCH_ONE = `
const [method, url] = process.argv.slice(1);
const res = await fetch(url, { method });
const text = await res.text();
process.stdout.write(JSON.stringify({ status: res.status, headers: Object.fromEntries(res.headers), text }));
`;

export function clientAsUser(base: string, uid: number, gid = uid): Client {
  return {
    call: (method, path, options) => {
      if (options?.body !== undefined || options?.headers !== undefined) throw new Error('clientAsUser: GET-style calls only');
      return new Promise<Answer>((resolve, reject) => {
        const child = spawn('setpriv', [`--reuid=${uid}`, `--regid=${gid}`, '--clear-groups', '--reset-env', '--',
          process.execPath, '--input-type=module', '-e', FETCH_ONE, method, new URL(path, base).href], { stdio: ['ignore', 'pipe', 'pipe'] });
        const out: Buffer[] = [];
        const err: Buffer[] = [];
        child.stdout.on('data', (c: Buffer) => out.push(c));
        child.stderr.on('data', (c: Buffer) => err.push(c));
        child.on('error', reject);
        child.on('close', (code) => {
          if (code !== 0) return reject(new Error(`request as uid ${uid} failed (${code}): ${Buffer.concat(err).toString()}`));
          const parsed = JSON.parse(Buffer.concat(out).toString('utf8')) as { status: number; headers: Record<string, string>; text: string };
          let json: unknown;
          try {
            json = JSON.parse(parsed.text);
          } catch {
            json = undefined;
          }
          resolve({ status: parsed.status, headers: parsed.headers, text: parsed.text, json });
        });
      });
    },
    close: () => undefined,
  };
}
