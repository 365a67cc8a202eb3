// What bench/api and bench/api-profile both stand on: pcscd with one vpcd reader, an eID 1.8
// answering from its own process, and `t1c api` over HTTPS (its local CA) with a JWT key,
// reached through one keep-alive agent. 127.0.0.1 only.
import { spawn, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:https';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SignJWT } from 'jose';
import { APPLICATION_TOKEN_TYPE } from '@t1c/ds/client';
import { startPcscd, type PcscdHarness } from '@t1c/emulator';
import { startCardHost, type CardHost } from '@t1c/emulator/card-host';

const BIN = fileURLToPath(new URL('../../packages/connector/bin/t1c.js', import.meta.url));

export const freePort = (): Promise<number> => new Promise((resolve) => {
  const s = createServer().listen(0, '127.0.0.1', () => {
    const { port } = s.address() as AddressInfo;
    s.close(() => resolve(port));
  });
});

export interface Answer {
  readonly status: number;
  readonly body: string;
}

/** A GET over a keep-alive HTTPS agent that trusts any certificate (the bench's own servers only). */
export function httpsGetter(agent: Agent, port: number, headers: Record<string, string> = {}): (path: string) => Promise<Answer> {
  return (path) => new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, agent, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (c: string) => (body += c)).on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject).end();
  });
}

/** Pids of a process's direct children (the API's sandbox). */
export const childPids = (pid: number): number[] =>
  readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);

export interface ApiRig {
  readonly dir: string;
  readonly pcscd: PcscdHarness;
  readonly reader: PcscdHarness['readers'][number];
  readonly host: CardHost;
  readonly api: ChildProcess;
  readonly port: number;
  readonly agent: Agent;
  /** GET with the bench's JWT. */
  readonly get: (path: string) => Promise<Answer>;
  /** The API's key and certificate (the local CA's leaf), for other servers to serve alike. */
  readonly tls: { readonly key: string; readonly cert: string };
  /** From spawning `t1c api` to its first served /v3/readers (tsx load, key and CA generation included). */
  readonly startupMs: number;
  close(): Promise<void>;
}

/**
 * Starts everything and waits until `GET /v3/readers` answers 200. `maxSockets` bounds the
 * agent's connections; `env` is the API's (and so the sandbox's) environment.
 */
export async function startApiRig(options: { maxSockets: number; env?: NodeJS.ProcessEnv; tmpPrefix: string }): Promise<ApiRig> {
  const dir = mkdtempSync(join(tmpdir(), options.tmpPrefix));
  const pcscd = await startPcscd({ readerPairs: 1 });
  const reader = pcscd.readers[0];
  const host = await startCardHost();
  let api: ChildProcess | undefined;
  const agent = new Agent({ keepAlive: true, maxSockets: options.maxSockets, rejectUnauthorized: false });
  const close = async (): Promise<void> => {
    agent.destroy();
    if (api && api.exitCode === null && api.signalCode === null) {
      const exited = new Promise((r) => api?.once('exit', r));
      api.kill('SIGTERM');
      await exited;
    }
    await host.close();
    await pcscd.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    if (!reader) throw new Error('no vpcd reader');
    // The card answers from its own process, like a separate device; every new card shares the
    // process's specimen root, RRN and Citizen CA certificates, as real cards share Belgium's.
    await host.insert(reader.port, { appletVersion: '1.8' });
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    writeFileSync(join(dir, 'jwt.pem'), publicKey.export({ type: 'spki', format: 'pem' }));
    // The connector takes only typ JWT tokens with iat and exp (security/jwt.ts).
    const jwt = await new SignJWT({}).setProtectedHeader({ alg: 'RS256', typ: APPLICATION_TOKEN_TYPE }).setIssuer('bench').setIssuedAt().setExpirationTime('2h').sign(privateKey);
    const port = await freePort();
    const startedAt = process.hrtime.bigint();
    api = spawn(process.execPath, [BIN, 'api', '--port', String(port), '--local-ca', '--data-dir', join(dir, 'data'),
      '--jwt-public-key', join(dir, 'jwt.pem'), '--jwt-issuer', 'bench', '--log-level', 'warn'], { stdio: ['ignore', 'ignore', 'inherit'], env: options.env ?? process.env });
    const get = httpsGetter(agent, port, { authorization: `Bearer ${jwt}` });
    for (let tries = 0; ; tries++) {
      if (await get('/v3/readers').then((r) => r.status === 200, () => false)) break;
      if (api.exitCode !== null || tries > 1500) throw new Error('the API did not start');
      await new Promise((r) => setTimeout(r, 20));
    }
    const startupMs = Number(process.hrtime.bigint() - startedAt) / 1e6;
    const tls = { key: join(dir, 'data', 'tls', 'localhost-key.pem'), cert: join(dir, 'data', 'tls', 'localhost.pem') };
    return { dir, pcscd, reader, host, api, port, agent, get, tls, startupMs, close };
  } catch (error) {
    await close();
    throw error;
  }
}
