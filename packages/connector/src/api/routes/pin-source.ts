import type { FastifyRequest } from 'fastify';
import type { DigestAlgorithm, PinInput } from '../../ipc/index.js';
import { decodePinField, OAEP_HEADER_VALUE, PIN_ENCRYPTION_HEADER } from '../../security/pin-field.js';
import { callerOf, type Caller } from '../caller.js';
import type { ApiContext } from '../context.js';
import { T1CError } from '../errors.js';
import { readerParams } from '../schemas.js';

/** What every module's PIN and signing routes share: the PIN's source, the digest, the rate-limit bucket. */
const ALGORITHMS: Record<string, DigestAlgorithm> = { sha1: 'SHA-1', sha256: 'SHA-256', sha384: 'SHA-384', sha512: 'SHA-512' };
export const DIGEST_BYTES: Record<DigestAlgorithm, number> = { 'SHA-1': 20, 'SHA-256': 32, 'SHA-384': 48, 'SHA-512': 64 };
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export function algorithmOf(name: string): DigestAlgorithm {
  const algorithm = ALGORITHMS[name.toLowerCase().replace('-', '')];
  if (!algorithm) throw new T1CError('ALGORITHM_UNSUPPORTED');
  return algorithm;
}

export function base64Bytes(data: string): Uint8Array {
  if (!BASE64.test(data)) throw new T1CError('INVALID_DIGEST_ENCODING');
  return new Uint8Array(Buffer.from(data, 'base64'));
}

/**
 * The PIN rate-limit bucket: the application (JWT `sub`; the Origin, or its absence, with
 * --no-jwt) and the reader. One page cannot use up another's tries, nor one card's another's.
 * Only a reader `isKnown` says is real gets its own bucket: made-up ids share one, so they
 * cannot flood the limiter's cache and push a real bucket out. By default the PC/SC readers of
 * the last listing: the handler lists readers itself, so the key costs no second sandbox call.
 */
export function pinRateKey(ctx: ApiContext, isKnown: (rid: string) => boolean = (rid) => ctx.cards.isListed(rid)): (request: FastifyRequest) => string {
  return (request) => {
    const caller = callerOf(request);
    const who = caller.application !== undefined ? ['app', caller.application] : ['origin', caller.origin ?? null];
    const params = readerParams.safeParse(request.params);
    const reader = params.success ? (isKnown(params.data.rid) ? params.data.rid : 'unlisted') : null;
    return JSON.stringify([...who, reader]);
  };
}

export type PinSource = { readonly pin: PinInput; readonly from: 'pinpad' | 'request' | 'bulk' };

export interface PinRequest {
  readonly pinpad: boolean;
  readonly body: { pin?: unknown; osDialog?: boolean | undefined; timeout?: number | undefined };
  /** For `sign?bulk=true`: the card insertion a kept PIN must have been given for. */
  readonly bulkInsertion?: string | undefined;
  readonly rid: string;
}

/** Where the PIN comes from: pinpad first, then the body, the OS dialog, a kept bulk PIN. */
export async function pinFor(ctx: ApiContext, request: FastifyRequest, caller: Caller, want: PinRequest): Promise<PinSource | undefined> {
  if (want.pinpad) return { pin: { kind: 'pinpad' }, from: 'pinpad' };
  const scheme = request.headers[PIN_ENCRYPTION_HEADER] === OAEP_HEADER_VALUE ? 'oaep-sha256' : 'pkcs1';
  if (typeof want.body.pin === 'string' && want.body.pin !== '') await ctx.deviceKey.prepareDecryption();
  const fromBody = decodePinField(want.body.pin, { key: ctx.deviceKey, scheme, allowPlain: ctx.policy.allowPlainPin, seen: ctx.seenPins, now: ctx.now });
  if (fromBody) return { pin: { kind: 'digits', pin: fromBody }, from: 'request' };
  if (want.body.osDialog) {
    const pin = await ctx.pinDialog({ timeoutSeconds: want.body.timeout || undefined, origin: caller.origin, application: caller.application });
    return { pin: { kind: 'digits', pin }, from: 'request' };
  }
  const kept = want.bulkInsertion !== undefined ? ctx.bulkPins.take(want.rid, caller, want.bulkInsertion) : undefined;
  return kept ? { pin: { kind: 'digits', pin: kept }, from: 'bulk' } : undefined;
}

export function wipePin(pin: PinInput | undefined): void {
  if (pin?.kind === 'digits') pin.pin.fill(0);
}
