import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { BeidSigningKey, DigestAlgorithm } from '@t1c/smartcard/beid';
import type { PinInput } from '../../cards/index.js';
import { decodePinField, OAEP_HEADER_VALUE, PIN_ENCRYPTION_HEADER } from '../../security/pin-field.js';
import type { ApiContext } from '../context.js';
import { envelope } from '../envelope.js';
import { T1CError } from '../errors.js';
import { beidReader } from '../readers.js';
import { bulkQuery, parse, readerParams, signBody, verifyPinBody } from '../schemas.js';
import { BEID_PREFIX } from './beid-data.js';

const ALGORITHMS: Record<string, DigestAlgorithm> = { sha1: 'SHA-1', sha256: 'SHA-256', sha384: 'SHA-384', sha512: 'SHA-512' };
const DIGEST_BYTES: Record<DigestAlgorithm, number> = { 'SHA-1': 20, 'SHA-256': 32, 'SHA-384': 48, 'SHA-512': 64 };
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function algorithmOf(name: string): DigestAlgorithm {
  const algorithm = ALGORITHMS[name.toLowerCase().replace('-', '')];
  if (!algorithm) throw new T1CError('ALGORITHM_UNSUPPORTED');
  return algorithm;
}

function base64Bytes(data: string): Uint8Array {
  if (!BASE64.test(data)) throw new T1CError('INVALID_DIGEST_ENCODING');
  return new Uint8Array(Buffer.from(data, 'base64'));
}

/** Where the PIN comes from: pinpad first, then the body, the OS dialog, a bulk PIN. */
async function pinFor(ctx: ApiContext, request: FastifyRequest, readerPinpad: boolean, body: { pin?: unknown; osDialog?: boolean | undefined; timeout?: number | undefined }, bulkReader?: string): Promise<PinInput | undefined> {
  if (readerPinpad) return { kind: 'pinpad' };
  const scheme = request.headers[PIN_ENCRYPTION_HEADER] === OAEP_HEADER_VALUE ? 'oaep-sha256' : 'pkcs1';
  const fromBody = decodePinField(body.pin, ctx.deviceKey, scheme, ctx.policy.allowPlainPin);
  if (fromBody) return { kind: 'digits', pin: fromBody };
  if (body.osDialog) return { kind: 'digits', pin: await ctx.pinDialog(body.timeout || undefined) };
  const cached = bulkReader ? ctx.bulkPins.recall(bulkReader) : undefined;
  return cached ? { kind: 'digits', pin: cached } : undefined;
}

const wipe = (pin: PinInput | undefined): void => {
  if (pin?.kind === 'digits') pin.pin.fill(0);
};

/** verify-pin, authenticate, sign, sign_raw and reset-bulk-pin; all rate-limited. */
export function registerBeidPinRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const limited = { config: { rateLimit: { max: ctx.policy.pinRateLimitPerMinute, timeWindow: 60_000 } } };

  app.post(`${BEID_PREFIX}/readers/:rid/verify-pin`, limited, async (request) => {
    const { rid } = parse(readerParams, request.params, 'reader id');
    const body = parse(verifyPinBody, request.body, 'body');
    const reader = await beidReader(ctx.cards, rid);
    const pin = await pinFor(ctx, request, reader.pinpad, body);
    if (!pin) throw new T1CError('PIN_REQUIRED');
    try {
      await ctx.cards.verifyBeidPin(rid, pin);
    } finally {
      wipe(pin);
    }
    return envelope(ctx.deviceKey, { verified: true });
  });

  const signing = (op: string, key: BeidSigningKey, raw: boolean): void => {
    app.post(`${BEID_PREFIX}/readers/:rid/${op}`, limited, async (request) => {
      const { rid } = parse(readerParams, request.params, 'reader id');
      const body = parse(signBody, request.body, 'body');
      const bulk = parse(bulkQuery, request.query, 'query').bulk === 'true' && op !== 'authenticate';
      const algorithm = algorithmOf(body.algorithm);
      const data = base64Bytes(body.data);
      const digest = raw ? new Uint8Array(createHash(algorithm.replace('-', '').toLowerCase()).update(data).digest()) : data;
      if (digest.length !== DIGEST_BYTES[algorithm]) throw new T1CError('DIGEST_INVALID');
      const reader = await beidReader(ctx.cards, rid);
      const pin = await pinFor(ctx, request, reader.pinpad, body, bulk ? rid : undefined);
      if (!pin) throw new T1CError('PIN_REQUIRED');
      try {
        const signature = await ctx.cards.signBeid(rid, { key, algorithm, digest, pin });
        if (bulk && pin.kind === 'digits') ctx.bulkPins.remember(rid, pin.pin);
        return envelope(ctx.deviceKey, { data: Buffer.from(signature).toString('base64') });
      } catch (error) {
        // A cached PIN the card refused must not be retried until the card blocks.
        if (bulk) ctx.bulkPins.forget(rid);
        throw error;
      } finally {
        wipe(pin);
      }
    });
  };
  signing('sign', 'nonRepudiation', false);
  signing('sign_raw', 'nonRepudiation', true);
  signing('authenticate', 'authentication', false);

  // GET from SDK ≥ 3.5.0, POST (with a `null` body) before: serve both.
  const reset = async (): Promise<unknown> => {
    ctx.bulkPins.reset();
    return envelope(ctx.deviceKey, true);
  };
  app.get(`${BEID_PREFIX}/reset-bulk-pin`, limited, reset);
  app.post(`${BEID_PREFIX}/reset-bulk-pin`, limited, reset);
}
