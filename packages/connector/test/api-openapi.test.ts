import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { withThrowawayApp } from '../src/api/describe.js';
import { openApiDocument, openApiPath, routesOf, type OpenApiDocument } from '../src/api/openapi.js';
import { selfCommand } from '../src/os/self-command.js';

/** Every (METHOD, path) fastify's router holds, read from its own route tree (printRoutes). */
function routerRoutes(app: FastifyInstance): string[] {
  const out: string[] = [];
  const stack: string[] = [];
  for (const line of app.printRoutes({ commonPrefix: false }).split('\n')) {
    const at = line.indexOf('── ');
    if (at < 0) continue;
    const depth = Math.floor(at / 4);
    const [, segment = '', methods] = /^(.*?)(?: \(([A-Z, ]+)\))?$/.exec(line.slice(at + 3)) ?? [];
    stack.length = depth;
    stack.push(segment);
    if (methods) for (const method of methods.split(', ')) out.push(`${method} ${stack.join('')}`);
  }
  return out.sort();
}

const documented = (doc: OpenApiDocument): string[] =>
  Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`)).sort();

describe('OpenAPI document of the connector API', () => {
  let fromCli: OpenApiDocument;
  let router: string[];
  let fromApp: OpenApiDocument;
  let schemas: Map<string, unknown>;

  before(async () => {
    const { command, args } = selfCommand(['api', '--openapi']);
    const run = spawnSync(command, args, { encoding: 'utf8', timeout: 60_000 });
    assert.equal(run.status, 0, run.stderr);
    fromCli = JSON.parse(run.stdout) as OpenApiDocument;
    await withThrowawayApp(async (app) => {
      // Sorted again after `:aid` became `{aid}`: the two sort differently beside a literal segment.
      router = routerRoutes(app).map((r) => r.replace(/ (\S+)$/, (_m, url: string) => ` ${openApiPath(url)}`)).sort();
      fromApp = openApiDocument(routesOf(app));
      schemas = new Map(routesOf(app).map((r) => [`${r.method} ${openApiPath(r.url)}`, r.schema]));
    });
  });

  it('`t1c api --openapi` prints an OpenAPI 3.1 document, the same one the app describes', () => {
    assert.equal(fromCli.openapi, '3.1.0');
    assert.deepEqual(fromCli, fromApp);
  });

  it('documents every route fastify serves, and nothing else', () => {
    assert.ok(router.length > 20, router.join('\n'));
    assert.deepEqual(documented(fromCli), router);
  });

  it('each operation carries the schemas its route validates with: path and query parameters, body, responses', () => {
    for (const [path, ops] of Object.entries(fromCli.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        const schema = schemas.get(`${method.toUpperCase()} ${path}`) as Record<string, unknown>;
        const parameters = (op.parameters ?? []) as { name: string; in: string; schema: unknown }[];
        for (const name of [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1])) {
          const parameter = parameters.find((p) => p.name === name && p.in === 'path');
          assert.ok(parameter, `${method} ${path}: path parameter ${name}`);
          assert.deepEqual(parameter.schema, (schema.params as { properties: Record<string, unknown> }).properties[name ?? '']);
        }
        for (const parameter of parameters.filter((p) => p.in === 'query')) {
          assert.deepEqual(parameter.schema, (schema.querystring as { properties: Record<string, unknown> }).properties[parameter.name]);
        }
        const body = (op.requestBody as { content: Record<string, { schema: unknown }> } | undefined)?.content['application/json']?.schema;
        assert.deepEqual(body, schema.body, `${method} ${path}: body`);
        const responses = op.responses as Record<string, { content: Record<string, { schema: unknown }> }>;
        assert.deepEqual(responses['200']?.content['application/json']?.schema, (schema.response as Record<string, unknown>)['200'], `${method} ${path}: 200`);
        assert.ok(responses.default, `${method} ${path}: error answer`);
      }
    }
  });

  it('names the wire shapes the official SDK reads: the envelope, CardReader.card.modules, certificates', () => {
    const readers = fromCli.paths['/v3/readers']?.get as { responses: Record<string, { content: Record<string, { schema: Record<string, unknown> }> }> };
    const envelope = readers.responses['200']?.content['application/json']?.schema as { properties: Record<string, { items?: { properties: Record<string, { properties?: Record<string, unknown> }> } }> };
    assert.deepEqual(Object.keys(envelope.properties), ['success', 'data', 'signature']);
    const card = envelope.properties.data?.items?.properties.card?.properties ?? {};
    assert.deepEqual(Object.keys(card).sort(), ['atr', 'description', 'module', 'modules']);
    assert.ok(fromCli.paths['/v3/modules/beid/apps/token/readers/{rid}/authentication-cert']?.get);
    const info = fromCli.paths['/info']?.get as { responses: Record<string, { content: Record<string, { schema: { properties: Record<string, unknown> } }> }> };
    assert.ok(info.responses['200']?.content['application/json']?.schema.properties.t1CInfoAPI, '/info is not enveloped');
  });
});
