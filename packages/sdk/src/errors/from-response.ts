import { kindOfCode } from './codes.js';
import { PinIncorrectError, sdkError, T1cError } from './t1c-error.js';

const SIX_DIGITS = /^\d{6}$/;
const TRIES_LEFT = /(\d+)\s+(?:tries|try|attempts?|retries)\s+left/i;
const MAX_DESCRIPTION = 500;

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

/** Tries left as a body field (any of the names connectors use) or inside the description. */
function triesLeftOf(body: Record<string, unknown>, description: string): number | undefined {
  for (const field of ['triesLeft', 'retriesLeft', 'remainingTries']) {
    const value = body[field];
    if (typeof value === 'number' && Number.isInteger(value) && value >= 0) return value;
  }
  const match = TRIES_LEFT.exec(description);
  return match?.[1] === undefined ? undefined : Number(match[1]);
}

/**
 * Rebuilds a connector failure (`{success:false, code, description}`, any status) as a
 * T1cError. 401 is always "unauthorized" whatever the body says, as in the official SDK.
 */
export function errorFromResponse(status: number, body: unknown): T1cError {
  const record = asRecord(body);
  const rawCode = record?.code;
  const code = typeof rawCode === 'number' && Number.isInteger(rawCode) ? String(rawCode) : rawCode;
  const rawDescription = record?.description;
  const description = typeof rawDescription === 'string' ? rawDescription.slice(0, MAX_DESCRIPTION) : '';
  if (status === 401) {
    return new T1cError('unauthorized', '104025', description || 'The connector refused the JWT', { status });
  }
  if (typeof code !== 'string' || !SIX_DIGITS.test(code)) {
    if (status === 404) return sdkError('not-found', 'Functionality not found', { status });
    const shown = typeof code === 'string' ? code.slice(0, 20) : typeof code;
    return sdkError('invalid-response', `The connector answered HTTP ${status} without a six-digit code (${shown})`, { status });
  }
  const kind = status === 404 && code === '112999' ? 'not-found' : kindOfCode(code);
  const text = description || `Connector error ${code}`;
  if (kind === 'pin-incorrect' && record) return new PinIncorrectError(code, text, triesLeftOf(record, text), { status });
  return new T1cError(kind, code, text, { status });
}

export { asRecord };
