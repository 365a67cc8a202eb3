import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';

const read = (name: string): string => readFileSync(new URL(`./web/${name}`, import.meta.url), 'utf8');

/**
 * The admin web page: static HTML + JS talking to the admin API with the token the operator
 * pastes (kept in sessionStorage, never a cookie). Strict CSP: no inline script, same origin.
 */
export function registerAdminPage(app: FastifyInstance): void {
  const html = read('index.html');
  const js = read('admin.js');
  const css = read('admin.css');
  const csp = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'";
  app.get('/admin', async (_request, reply) => reply.redirect('/admin/', 302));
  app.get('/admin/', async (_request, reply) => reply.type('text/html; charset=utf-8').header('content-security-policy', csp).send(html));
  app.get('/admin/admin.js', async (_request, reply) => reply.type('text/javascript; charset=utf-8').send(js));
  // Browsers ask for it on every page; an empty answer keeps the console clean.
  app.get('/favicon.ico', async (_request, reply) => reply.status(204).send());
  app.get('/admin/admin.css', async (_request, reply) => reply.type('text/css; charset=utf-8').send(css));
}
