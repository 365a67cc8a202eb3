import { readFile } from 'node:fs/promises';
import { X509Certificate } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import rateLimit from '@fastify/rate-limit';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import { z } from 'zod';
import { insecureUrlProblem } from '@t1c/ds';
import { ChallengeStore } from './challenges.js';
import { checkOwnPageRequest } from './page-request.js';
import { PageSessions } from './page-sessions.js';
import { DemoRefusal } from './refusal.js';
import { ServedOrigins } from './served-origins.js';
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
  /**
   * Public origins of a deployed demo, e.g. `https://demo.example.com` behind a TLS proxy. The
   * loopback names on the listening port are always served; any other Host is refused.
   */
  readonly publicOrigins?: readonly string[];
  /** Token requests per client address per minute (default 20). */
  readonly tokenRequestsPerMinute?: number;
  /** Behind a reverse proxy: take the client address from X-Forwarded-For, so the rate limit is per user. */
  readonly trustProxy?: boolean;
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

/** Token requests one client address may make per minute: a page needs one per token lifetime (20 min by default). */
export const DEFAULT_TOKEN_REQUESTS_PER_MINUTE = 20;

export async function startDemo(options: DemoOptions): Promise<RunningDemo> {
  const port = options.port ?? 0;
  const publicOrigins = [...(options.publicOrigins ?? [])];
  // The API key travels to the DS with every token request: never over plain HTTP off this machine.
  const dsProblem = insecureUrlProblem(options.dsUrl);
  if (dsProblem !== undefined) throw new Error(`demo dsUrl: ${dsProblem}`);
  const tokens = new TokenSource(options.dsUrl, options.apiKey);
  const challenges = new ChallengeStore((options.trustedRoots ?? []).map((der) => new X509Certificate(der)));
  const [html, css, script] = await Promise.all([readFile(`${PUBLIC}index.html`, 'utf8'), readFile(`${PUBLIC}style.css`, 'utf8'), bundlePage()]);
  const connector = new URL(options.connectorUrl).origin;
  const app = Fastify({ logger: options.logger ?? false, bodyLimit: 64 * 1024, trustProxy: options.trustProxy ?? false });
  const csp = `default-src 'self'; connect-src 'self' ${connector}; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'`;
  // Throws on a bad public origin before listening; rebuilt once the port is known (0 picks one).
  let served = new ServedOrigins(port, publicOrigins);
  let sessions = new PageSessions(port);

  /** The origin of the page that may call this request's endpoint: the one its Host names. */
  const ownOrigin = (request: FastifyRequest): string => {
    const origin = served.originFor(request.headers.host);
    if (origin === undefined) throw new DemoRefusal(421, 'unknown host name');
    return origin;
  };
  /** Token, challenge and verification: only a fetch() of our own page, within its session; checked before the body is read, after the rate limit. */
  const ownPageOnly = async (request: FastifyRequest): Promise<void> => {
    checkOwnPageRequest(request.headers, ownOrigin(request));
    if (!sessions.valid(request.headers.cookie)) throw new DemoRefusal(401, 'no valid page session: reload the page');
  };

  app.setErrorHandler(async (error, request, reply) => {
    if (error instanceof DemoRefusal) return reply.code(error.statusCode).send({ error: error.message });
    const status = typeof error === 'object' && error !== null && 'statusCode' in error && typeof error.statusCode === 'number' ? error.statusCode : 500;
    if (status >= 400 && status < 500) return reply.code(status).send({ error: error instanceof Error ? error.message : 'bad request' });
    request.log.error({ err: error instanceof Error ? error.message : String(error) }, 'request failed');
    return reply.code(500).send({ error: 'internal error' });
  });
  // DNS rebinding: before anything else, on every route (static files and 404s too), the Host must be ours.
  app.addHook('onRequest', async (request, reply) => {
    if (served.originFor(request.headers.host) !== undefined) return;
    return reply.code(421).send({ error: `this server does not serve that host name; it serves ${served.describe()}` });
  });
  app.addHook('onSend', async (_request, reply) => {
    reply.header('content-security-policy', csp).header('x-content-type-options', 'nosniff').header('referrer-policy', 'no-referrer');
  });
  await app.register(rateLimit, {
    global: false,
    errorResponseBuilder: (_request, context) => new DemoRefusal(429, `too many token requests from this address: at most ${context.max} a minute; retry in ${context.after}`),
  });

  app.get('/', async (request, reply) => reply.type('text/html; charset=utf-8')
    .header('set-cookie', sessions.issue(ownOrigin(request).startsWith('https:')))
    .header('cache-control', 'no-store')
    .send(html));
  app.get('/style.css', async (_request, reply) => reply.type('text/css; charset=utf-8').send(css));
  app.get('/app.js', async (_request, reply) => reply.type('text/javascript; charset=utf-8').send(script));
  app.get('/favicon.ico', async (_request, reply) => reply.code(204).send());
  app.get('/api/config', async () => ({ connectorUrl: options.connectorUrl }));
  // A GET can be sent by any page (img, link, no-cors fetch) without asking: the token is a POST.
  app.get('/api/token', async (_request, reply) => {
    reply.header('allow', 'POST');
    throw new DemoRefusal(405, 'use POST from the demo page');
  });
  app.post('/api/token', {
    config: { rateLimit: { max: options.tokenRequestsPerMinute ?? DEFAULT_TOKEN_REQUESTS_PER_MINUTE, timeWindow: 60_000 } },
    preParsing: ownPageOnly,
  }, async (_request, reply) => {
    try {
      return await reply.header('cache-control', 'no-store').send({ jwt: await tokens.token() });
    } catch (error) {
      logTokenFailure(app, error);
      return reply.code(502).send({ error: 'the Distribution Service refused or did not answer' });
    }
  });
  app.post('/api/challenge', { preParsing: ownPageOnly }, async () => challenges.issue());
  app.post('/api/verify', { preParsing: ownPageOnly }, async (request, reply) => {
    const parsed = verifyBody.safeParse(request.body);
    if (!parsed.success) return reply.code(400).send({ error: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') });
    const { id, signature, certificates } = parsed.data;
    return challenges.verify(id, Buffer.from(signature, 'base64'), certificates.map((c) => Buffer.from(c, 'base64')));
  });

  const url = await app.listen({ port, host: options.host ?? '127.0.0.1' });
  const address = app.server.address();
  const listening = typeof address === 'object' && address !== null ? address.port : port;
  served = new ServedOrigins(listening, publicOrigins);
  sessions = new PageSessions(listening);
  return { url, app, close: async () => { await app.close(); sessions.close(); } };
}

function logTokenFailure(app: FastifyInstance, error: unknown): void {
  app.log.warn({ err: error instanceof Error ? error.message : String(error) }, 'token exchange failed');
}
