import { sdkError, T1cError } from '../errors/t1c-error.js';
import type { ResponseLike } from './types.js';

/** Enough for all-data with a photo and the full certificate chain, several times over. */
export const DEFAULT_MAX_RESPONSE_BYTES = 4 * 1024 * 1024;

function tooLarge(maxBytes: number): Error {
  return sdkError('invalid-response', `The connector's answer is larger than ${maxBytes} bytes`);
}

/** Reads at most `maxBytes`, cancelling the stream past that instead of buffering it all. */
async function readText(response: ResponseLike, maxBytes: number): Promise<string> {
  const declared = Number(response.headers.get('content-length') ?? 'NaN');
  if (Number.isFinite(declared) && declared > maxBytes) throw tooLarge(maxBytes);
  if (!response.body) {
    const text = await response.text();
    if (text.length > maxBytes) throw tooLarge(maxBytes);
    return text;
  }
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let total = 0;
  let text = '';
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (!value) continue;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge(maxBytes);
    }
    text += decoder.decode(value, { stream: true });
  }
  return text + decoder.decode();
}

/**
 * The parsed JSON body, `undefined` for an empty one. Anything a connector (or whatever else
 * listens on the port) can send becomes a T1cError, never a SyntaxError or TypeError.
 */
export async function readJson(response: ResponseLike, maxBytes: number): Promise<unknown> {
  let text: string;
  try {
    text = await readText(response, maxBytes);
  } catch (error) {
    if (error instanceof T1cError) throw error;
    throw sdkError('invalid-response', 'The connector\'s answer was cut off', { status: response.status, cause: error });
  }
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw sdkError('invalid-response', 'The connector\'s answer is not JSON', { status: response.status, cause: error });
  }
}
