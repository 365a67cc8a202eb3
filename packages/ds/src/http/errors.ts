import type { FastifyError, FastifyInstance } from 'fastify';
import { DsError, ErrorCodes, isDsError } from '../errors.js';
import type { Metrics } from './metrics.js';

/** Framework errors (parsing, limits) mapped onto our stable codes. */
function fromFramework(error: FastifyError): DsError {
  const status = error.statusCode ?? 500;
  if (status === 413) return new DsError('bodyTooLarge');
  if (status === 415) return new DsError('unsupportedMedia');
  if (status === 400) {
    const reason = error.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' ? 'empty JSON body' : 'malformed request body';
    return new DsError('invalidInput', `invalid body: ${reason}`);
  }
  if (status === 404) return new DsError('notFound');
  return new DsError('internal');
}

/** The one place errors become `{success:false, code, description}`. */
export function installErrorHandling(app: FastifyInstance, metrics: Metrics): void {
  app.setErrorHandler((error: FastifyError | DsError, request, reply) => {
    const dsError = isDsError(error) ? error : fromFramework(error);
    if (dsError.kind === 'internal') {
      // Message only: error objects from drivers can carry query parameters.
      request.log.error({ err: { message: error.message, code: error.code } }, 'request failed');
    }
    if (dsError.kind === 'dbUnavailable') {
      metrics.inc('ds_db_unavailable_total', 'Requests refused because the database was unreachable');
      request.log.warn('database unavailable');
    }
    if (dsError.retryAfterSeconds !== undefined) void reply.header('retry-after', String(dsError.retryAfterSeconds));
    void reply.status(dsError.status).send({ success: false, code: dsError.code, description: dsError.message });
  });
  app.setNotFoundHandler((_request, reply) => {
    const e = ErrorCodes.notFound;
    void reply.status(e.status).send({ success: false, code: e.code, description: e.description });
  });
}
