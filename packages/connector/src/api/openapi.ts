import type { FastifyInstance } from 'fastify';
import { CONNECTOR_VERSION } from '../version.js';
import type { DocumentedSchema } from './route.js';

/** One route as fastify registered it (its onRoute hook), with the schema its spec declared. */
export interface RegisteredRoute {
  readonly method: string;
  readonly url: string;
  readonly schema: DocumentedSchema | undefined;
}

type JsonObject = Record<string, unknown>;
export interface OpenApiDocument {
  readonly openapi: '3.1.0';
  readonly info: { readonly title: string; readonly version: string; readonly description: string };
  readonly paths: Record<string, Record<string, JsonObject>>;
  readonly components: JsonObject;
  readonly security: readonly JsonObject[];
}

const registered = new WeakMap<FastifyInstance, RegisteredRoute[]>();

/** Records every route fastify registers on `app` from now on; call before any route. */
export function trackRoutes(app: FastifyInstance): void {
  const routes: RegisteredRoute[] = [];
  registered.set(app, routes);
  app.addHook('onRoute', (options) => {
    for (const method of [options.method].flat()) {
      routes.push({ method: method.toUpperCase(), url: options.url, schema: options.schema as DocumentedSchema | undefined });
    }
  });
}

export function routesOf(app: FastifyInstance): readonly RegisteredRoute[] {
  return registered.get(app) ?? [];
}

/** `/v3/readers/:rid` → `/v3/readers/{rid}`. */
export const openApiPath = (url: string): string => url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');

/** Path and query parameters from the JSON Schemas of `params` and `querystring`. */
function parameters(schema: DocumentedSchema): JsonObject[] {
  const from = (part: unknown, where: 'path' | 'query'): JsonObject[] => {
    if (typeof part !== 'object' || part === null) return [];
    const { properties = {}, required = [] } = part as { properties?: Record<string, unknown>; required?: string[] };
    return Object.entries(properties).map(([name, property]) => ({ name, in: where, required: where === 'path' || required.includes(name), schema: property }));
  };
  return [...from(schema.params, 'path'), ...from(schema.querystring, 'query')];
}

function operation(route: RegisteredRoute): JsonObject {
  const schema = route.schema;
  if (!schema) throw new TypeError(`${route.method} ${route.url} has no declared schema`);
  const responses = (schema.response ?? {}) as Record<string, unknown>;
  const json = (body: unknown): JsonObject => ({ content: { 'application/json': { schema: body } } });
  const params = parameters(schema);
  return {
    summary: schema.summary,
    tags: [...schema.tags],
    ...(params.length > 0 ? { parameters: params } : {}),
    ...(schema.body ? { requestBody: { required: true, ...json(schema.body) } } : {}),
    responses: Object.fromEntries(Object.entries(responses).map(([status, body]) => [
      status,
      { description: status === '200' ? 'Success' : 'A T1C error (t1c-api.md §3)', ...json(body) },
    ])),
  };
}

/**
 * The OpenAPI 3.1 document of every route registered on the app, built from the schemas the
 * routes declare (route.ts): nothing here is written twice.
 */
export function openApiDocument(routes: readonly RegisteredRoute[]): OpenApiDocument {
  const paths: Record<string, Record<string, JsonObject>> = {};
  for (const route of routes) {
    const path = openApiPath(route.url);
    paths[path] ??= {};
    paths[path][route.method.toLowerCase()] = operation(route);
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 't1c-open connector API',
      version: CONNECTOR_VERSION,
      description: 'The local API, wire-compatible with Trust1Connector v3 (t1c-api.md). Errors are {success:false, code, description} with a six-digit T1C code.',
    },
    paths,
    components: { securitySchemes: { jwt: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
    security: [{ jwt: [] }],
  };
}
