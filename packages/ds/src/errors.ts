/**
 * Every failure the DS reports is a DsError with a stable code. The single error handler in
 * http/errors.ts turns it into the T1C envelope `{success:false, code, description}`, so
 * routes never build error bodies themselves.
 */
export const ErrorCodes = {
  hostDenied: { code: '104030', status: 421, description: 'This DS does not serve the host name in the request (DNS rebinding?); use 127.0.0.1, localhost or a configured --public-host' },
  unauthorized: { code: '104025', status: 401, description: 'Unauthorized to do this action' },
  badSignature: { code: '104031', status: 401, description: 'Request signature is not valid' },
  staleRequest: { code: '104032', status: 401, description: 'Request timestamp is outside the accepted window' },
  replay: { code: '104033', status: 409, description: 'Request was already seen (replay)' },
  unknownDevice: { code: '104034', status: 401, description: 'Device is not registered' },
  quotaExceeded: { code: '104036', status: 429, description: 'Quota exceeded' },
  registrationLimit: { code: '104037', status: 403, description: 'Registration key has reached its device limit' },
  rateLimited: { code: '104029', status: 429, description: 'Too many requests' },
  invalidInput: { code: '106400', status: 400, description: 'Invalid input' },
  bodyTooLarge: { code: '106413', status: 413, description: 'Request body is too large' },
  unsupportedMedia: { code: '106415', status: 415, description: 'Unsupported content type' },
  notFound: { code: '112404', status: 404, description: 'Not found' },
  conflict: { code: '105409', status: 409, description: 'Already exists' },
  dbUnavailable: { code: '112503', status: 503, description: 'Database unavailable, retry later' },
  internal: { code: '112500', status: 500, description: 'Internal error' },
} as const;

export type ErrorKind = keyof typeof ErrorCodes;

export class DsError extends Error {
  readonly kind: ErrorKind;
  readonly code: string;
  readonly status: number;
  readonly retryAfterSeconds: number | undefined;

  constructor(kind: ErrorKind, description?: string, retryAfterSeconds?: number) {
    const entry = ErrorCodes[kind];
    super(description ?? entry.description);
    this.name = 'DsError';
    this.kind = kind;
    this.code = entry.code;
    this.status = entry.status;
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

export function isDsError(value: unknown): value is DsError {
  return value instanceof DsError;
}
