import { readFile } from 'node:fs/promises';
import { X509Certificate } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import Fastify, { type FastifyInstance } from 'fastify';
import { z } from 'zod';
import { ChallengeStore } from './challenges.js';
import { TokenSource } from './token-source.js';

export interface DemoOptions {
  /** Distribution Service that turns the API key into JWTs. */
  readonly dsUrl: string;
  /** The application's API key: stays in this process, never sent to the browser. */
  readonly apiKey: string;
  /** Where the page finds the connector, e.g. http://127.0.0.1:51983. */
  readonly connectorUrl: string;
  readonly port?: number;
  readonly host?: string;
  /** DER roots the backend trusts when it says whether a signer chains to a trusted root. */
  readonly trustedRoots?: readonly Uint8Array[];
  readonly logger?: boolean;
}

export interface RunningDemo {
  readonly url: string;
  readonly app: FastifyInstance;
  close(): Promise<void>;
}

const PUBLIC = fileURLToPath(new URL('../public/', import.meta.url));
const PAGE_ENTRY = fileURLToPath(new URL('./page/main.ts', import.meta.url));

const base64 = z.string().min(1).max(16_384).regex(/^[A-Za-z0-9+/]+={0,2}$/, 'must be base64');
const verifyBody = z.strictObject({
  id: z.uuid(),
  signature: base64,
  certificates: z.array(base64).min(1).max(5),
});

/** The page's script: our SDK and the page code in one file, built once at start. */
async function bundlePage(): Promise<string> {
  const result = await build({ entryPoints: [PAGE_ENTRY], bundle: true, format: 'esm', minify: true, write: false, target: 'es2022', logLevel: 'silent' });
  const file = result.outputFiles[0];
  if (!file) throw new Error('the page bundle is empty');
  return file.text;
}

export async function startDemo(options: DemoOptions): Promise<RunningDemo> {
  const tokens = new TokenSource(options.dsUrl, options.apiKey);
  const challenges = new ChallengeStore((options.trustedRoots ?? []).map((der) => new X509Certificate(der)));
  const [html, css, script] = await Promise.all([readFile(`${PUBLIC}index.html`, 'utf8'), readFile(`${PUBLIC}style.css`, 'utf8'), bundlePage()]);
  const connector = new URL(options.connectorUrl).origin;
  const app = Fastify({ logger: options.logger ?? false, bodyLimit: 64 * 1024 });
  const csp = `default-src 'self'; connect-src 'self' ${connector}; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'`;

  app.addHook('onSend', async (_request, reply) => {
    reply.header('content-security-policy', csp).header('x-content-type-options', 'nosniff').header('referrer-policy', 'no-referrer');
  });
  app.get('/', async (_request, reply) => reply.type('text/html; charset=utf-8').send(html));
  app.get('/style.css', async (_request, reply) => reply.type('text/css; charset=utf-8').send(css));
  app.get('/app.js', async (_request, reply) => reply.type('text/javascript; charset=utf-8').send(script));
  app.get('/favicon.ico', async (_request, reply) => reply.code(204).send());
  app.get('/api/config', async () => ({ connectorUrl: options.connectorUrl }));
  app.get('/api/token', async (_request, reply) => {
    try {
      return { jwt: await tokens.token() };
    } catch (error) {
      logTokenFailure(app, error);
      return reply.code(502).send({ error: 'the Distribution Service refused or did not answer' });
    }
  });
  app.post('/api/challenge', async () => challenges.issue());
  app.post('/api/verify', async (request, reply) => {
    const parsed = verifyBody.safeParse(request.body);
    if (!parsed.success) return reply.code(400).send({ error: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') });
    const { id, signature, certificates } = parsed.data;
    return challenges.verify(id, Buffer.from(signature, 'base64'), certificates.map((c) => Buffer.from(c, 'base64')));
  });

  const address = await app.listen({ port: options.port ?? 0, host: options.host ?? '127.0.0.1' });
  return { url: address, app, close: () => app.close() };
}

function logTokenFailure(app: FastifyInstance, error: unknown): void {
  app.log.warn({ err: error instanceof Error ? error.message : String(error) }, 'token exchange failed');
}
