import type { FastifyInstance, FastifyReply, FastifyRequest, FastifySchema, FastifySchemaCompiler, RouteShorthandOptions } from 'fastify';
import { z } from 'zod';
import type { ApiContext } from './context.js';
import { SignedEnvelope } from './envelope.js';
import { T1CError } from './errors.js';
import { errorResponse } from './schemas.js';

type HttpPart = 'params' | 'querystring' | 'body';
/** How a refused part is named in the error ("Invalid reader id: rid"), as handlers always named it. */
const PART_NAME: Record<HttpPart, string> = { params: 'reader id', querystring: 'query', body: 'body' };

/** JSON Schema (draft 2020-12) of a zod type: what fastify's `schema` and the OpenAPI document hold. */
export function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): Record<string, unknown> {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'any' });
  return rest;
}

/** The zod type each request-part JSON Schema was made from: the validator runs zod, not ajv. */
const zodOf = new WeakMap<object, { schema: z.ZodType; part: HttpPart }>();

/**
 * fastify's validator for every route: the zod type the part's JSON Schema came from. Failures
 * are T1C errors naming the fields, never echoing their values (a field may be a PIN).
 */
export const zodValidatorCompiler: FastifySchemaCompiler<unknown> = ({ schema }) => {
  const source = typeof schema === 'object' && schema !== null ? zodOf.get(schema) : undefined;
  if (!source) throw new TypeError('route schema not made by route()');
  return (data: unknown) => {
    const result = source.schema.safeParse(data ?? (source.part === 'body' ? undefined : {}));
    if (result.success) return { value: result.data };
    const fields = result.error.issues.map((i) => i.path.join('.') || PART_NAME[source.part]).join(', ');
    return { error: new T1CError('INVALID_INPUT', `Invalid ${PART_NAME[source.part]}: ${fields}`) };
  };
};

/**
 * Responses are JSON.stringify's text (a signed envelope is already text): the response schema
 * documents, it never filters.
 */
export const plainSerializerCompiler = (): ((data: unknown) => string) => (data) => (data instanceof SignedEnvelope ? data.text : JSON.stringify(data));

export interface RouteSpec<P, Q, B, R> {
  readonly summary: string;
  readonly tags: readonly string[];
  readonly params?: z.ZodType<P>;
  readonly querystring?: z.ZodType<Q>;
  readonly body?: z.ZodType<B>;
  /** The `data` of the success envelope, or the whole body when `enveloped` is false (/info). */
  readonly response: z.ZodType<R>;
  readonly enveloped?: boolean;
  /** Extra fastify route options (rate limit config). */
  readonly options?: Pick<RouteShorthandOptions, 'config'>;
}

export interface RouteInput<P, Q, B> {
  readonly params: P;
  readonly query: Q;
  readonly body: B;
  readonly request: FastifyRequest;
  readonly reply: FastifyReply;
}

const part = <T>(schema: z.ZodType<T>, name: HttpPart): Record<string, unknown> => {
  const json = jsonSchema(schema, 'input');
  zodOf.set(json, { schema, part: name });
  return json;
};

/** fastify's `schema` plus what the OpenAPI document says of the route. */
export interface DocumentedSchema extends FastifySchema {
  readonly summary: string;
  readonly tags: readonly string[];
}

/** fastify's `schema` for a spec: request parts validated by zod, responses documented. */
export function routeSchema<P, Q, B, R>(spec: RouteSpec<P, Q, B, R>): DocumentedSchema {
  const data = jsonSchema(spec.response, 'output');
  const success = spec.enveloped === false ? data : {
    type: 'object',
    properties: { success: { type: 'boolean', const: true }, data, signature: { type: 'string' } },
    required: ['success', 'data', 'signature'],
  };
  return {
    summary: spec.summary,
    tags: [...spec.tags],
    ...(spec.params ? { params: part(spec.params, 'params') } : {}),
    ...(spec.querystring ? { querystring: part(spec.querystring, 'querystring') } : {}),
    ...(spec.body ? { body: part(spec.body, 'body') } : {}),
    response: { 200: success, default: jsonSchema(errorResponse, 'output') },
  };
}

/**
 * Registers one route from its spec: the schemas are declared once, fastify checks the request
 * parts with them before the handler runs, and the handler gets the parsed values and returns
 * the response's `data` (typed by the response schema), which is enveloped and signed here.
 */
export function route<P = undefined, Q = undefined, B = undefined, R = unknown>(
  app: FastifyInstance,
  ctx: ApiContext,
  method: 'GET' | 'POST' | 'PATCH',
  url: string,
  spec: RouteSpec<P, Q, B, R>,
  handler: (input: RouteInput<P, Q, B>) => Promise<R>,
): void {
  app.route({
    method,
    url,
    schema: routeSchema(spec),
    ...(spec.options ?? {}),
    handler: async (request, reply) => {
      // The validator compiler replaced each declared part with zod's parse of it.
      const input = { params: request.params as P, query: request.query as Q, body: request.body as B, request, reply };
      const data = await handler(input);
      return spec.enveloped === false ? data : SignedEnvelope.of(ctx.deviceKey, data);
    },
  });
}
