import { X509Certificate } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Pkcs11CertificateData, Pkcs11SlotInfo } from '../../../ipc/index.js';
import {
  certificatesSchema, pkcs11CertListSchema, pkcs11ReaderSchema, pkcs11TokenInfoResponseSchema, slotAsReader,
  toPkcs11CertList, toPkcs11TokenInfo, type Pkcs11CertificateKind, type T1CCertificate,
} from '../../../wire/index.js';
import { tokenBulkKey } from '../../bulk-pins.js';
import { callerOf } from '../../caller.js';
import type { ApiContext } from '../../context.js';
import { T1CError } from '../../errors.js';
import { route } from '../../route.js';
import { bulkQuery, signBody, verifyPinBody } from '../../schemas.js';
import { algorithmOf, base64Bytes, DIGEST_BYTES, pinFor, pinRateKey, wipePin } from '../pin-source.js';
import { verifyDigestSignature } from './digest-signature.js';
import { PKCS11_PREFIX, TAGS } from './paths.js';

/** A slot id, as the slot list gives it: the reader id of a token. */
const slotParams = z.object({ rid: z.string().regex(/^\d{1,10}$/) });
const keyId = z.string().regex(/^[0-9A-Fa-f]{2,256}$/);
const slotsQuery = z.object({ tokenPresent: z.enum(['true', 'false']).optional() });
/** The SDK sends its filters as raw query parameters (t1c-api.md §2.5): any query is accepted. */
const anyQuery = z.record(z.string(), z.unknown());
const signRequest = signBody.extend({ id: keyId.optional() });
/** `TokenValidateSignatureRequest` (t1c-api.md §2.2). */
const validateBody = z.object({
  algorithm: z.string().min(1).max(32),
  hash: z.string().min(1).max(1024),
  signedHash: z.string().min(1).max(4096),
  id: keyId.optional(),
  osDialog: z.boolean().optional(),
  pin: z.unknown().optional(),
  timeout: z.number().int().min(0).max(600).optional(),
  txId: z.string().max(256).optional(),
  language: z.string().max(16).optional(),
});

/** One kind of certificate, or the error the SDK can show (never an empty list: t1c-api.md §2.3.4). */
function single(certificates: readonly Pkcs11CertificateData[], kind: Pkcs11CertificateKind): { certificates: T1CCertificate[] } {
  const found = toPkcs11CertList(certificates)[kind];
  if (!found || found.certificates.length === 0) throw new T1CError('CERTIFICATE_NOT_FOUND');
  return found;
}

/** Slots, token info, certificates, PIN, signatures and validation on `readers/{slot}` (t1c-api.md §2.6). */
export function registerPkcs11TokenRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const library = (): { library: string } => ({ library: ctx.pkcs11.library() });
  const certificates = async (slot: string): Promise<Pkcs11CertificateData[]> =>
    (await ctx.cards.call('pkcs11', 'certificates', slot, library())).certificates;
  // Slots are not PC/SC readers: each slot of the last listing gets its own PIN bucket, so
  // wrong PINs on one token never use up another's tries.
  let listedSlots = new Set<string>();
  const listSlots = async (): Promise<Pkcs11SlotInfo[]> => {
    const { slots } = await ctx.cards.call('pkcs11', 'slots', null, library());
    listedSlots = new Set(slots.map((s) => String(s.slotId)));
    return slots;
  };
  const options = { config: { rateLimit: { max: ctx.policy.pinRateLimitPerMinute, timeWindow: 60_000, keyGenerator: pinRateKey(ctx, (rid) => listedSlots.has(rid)) } } };
  /** The token in a slot, with whether it authenticates the user itself (protected authentication path: the pad is used, whatever the body holds). */
  const tokenIn = async (rid: string): Promise<NonNullable<Pkcs11SlotInfo['token']>> => {
    const slots = await listSlots();
    const slot = slots.find((s) => String(s.slotId) === rid);
    if (!slot) throw new T1CError('READER_UNKNOWN', `no PKCS#11 slot ${rid}`);
    if (!slot.token) throw new T1CError('NO_CARD', `no token in slot ${rid}`);
    return slot.token;
  };

  route(app, ctx, 'GET', `${PKCS11_PREFIX}/readers`, {
    summary: 'The configured library\'s slots as readers (tokenPresent=true: those holding a token)',
    tags: TAGS, querystring: slotsQuery, response: z.array(pkcs11ReaderSchema),
  }, async ({ query }) => {
    const slots = await listSlots();
    const wanted = query.tokenPresent === undefined ? slots : slots.filter((s) => (s.token !== undefined) === (query.tokenPresent === 'true'));
    return wanted.map(slotAsReader);
  });

  route(app, ctx, 'GET', `${PKCS11_PREFIX}/readers/:rid/info`, {
    summary: 'Token info (PKCS11TokenInfo: flags, mechanisms, counters)', tags: TAGS, params: slotParams, response: pkcs11TokenInfoResponseSchema,
  }, async ({ params }) => toPkcs11TokenInfo(await ctx.cards.call('pkcs11', 'tokenInfo', params.rid, library())));

  route(app, ctx, 'GET', `${PKCS11_PREFIX}/readers/:rid/cert-list`, {
    summary: 'The token\'s certificates by kind; `id` is the CKA_ID that names the key', tags: TAGS, params: slotParams, querystring: anyQuery, response: pkcs11CertListSchema,
  }, async ({ params }) => toPkcs11CertList(await certificates(params.rid)));

  for (const [path, kind, summary] of [
    ['authentication-cert', 'authenticationCertificate', 'The authentication certificate'],
    ['nonrepudiation-cert', 'nonRepudiationCertificate', 'The signing (non-repudiation) certificate'],
  ] as const) {
    route(app, ctx, 'GET', `${PKCS11_PREFIX}/readers/:rid/${path}`, { summary, tags: TAGS, params: slotParams, response: certificatesSchema },
      async ({ params }) => single(await certificates(params.rid), kind));
  }

  route(app, ctx, 'GET', `${PKCS11_PREFIX}/readers/:rid/supported-algorithms`, {
    summary: 'Digest algorithms a signature may use', tags: TAGS, params: slotParams, response: z.object({ ref: z.array(z.string()) }),
  }, async () => ({ ref: ['sha1', 'sha256', 'sha384', 'sha512'] }));

  route(app, ctx, 'POST', `${PKCS11_PREFIX}/readers/:rid/verify-pin`, {
    summary: 'Log in to the token with the PIN and out again', tags: TAGS, params: slotParams, body: verifyPinBody, response: z.object({ verified: z.boolean() }), options,
  }, async ({ params: { rid }, body, request }) => {
    const token = await tokenIn(rid);
    const source = await pinFor(ctx, request, callerOf(request), { pinpad: token.protectedAuthenticationPath, body, rid });
    if (!source) throw new T1CError('PIN_REQUIRED');
    try {
      await ctx.cards.call('pkcs11', 'verifyPin', rid, { ...library(), pin: source.pin });
    } finally {
      wipePin(source.pin);
    }
    return { verified: true };
  });

  const signing = (op: 'sign' | 'authenticate', usage: 'nonRepudiation' | 'authentication', summary: string): void => {
    route(app, ctx, 'POST', `${PKCS11_PREFIX}/readers/:rid/${op}`, {
      summary, tags: TAGS, params: slotParams, querystring: bulkQuery, body: signRequest, response: z.object({ data: z.string() }), options,
    }, async ({ params: { rid }, query, body, request }) => {
      const bulk = op === 'sign' && query.bulk === 'true';
      const algorithm = algorithmOf(body.algorithm);
      const digest = base64Bytes(body.data);
      if (digest.length !== DIGEST_BYTES[algorithm]) throw new T1CError('DIGEST_INVALID');
      const token = await tokenIn(rid);
      // A kept bulk PIN belongs to one token: its serial number stands for the card insertion.
      const tokenSerial = bulk ? `pkcs11:${token.serialNumber}` : undefined;
      const caller = callerOf(request);
      const bulkKey = tokenBulkKey(rid);
      // A protected authentication path wins over a PIN in the body, as a beid pinpad reader
      // does (t1c-api.md §2.2): the PIN never crosses the host. So a bulk session keeps nothing
      // there: each signature is authorised on the token again.
      const source = await pinFor(ctx, request, caller, { pinpad: token.protectedAuthenticationPath, body, rid: bulkKey, bulkInsertion: tokenSerial });
      if (!source) throw new T1CError('PIN_REQUIRED');
      try {
        const { signature } = await ctx.cards.call('pkcs11', 'sign', rid, {
          ...library(), usage, algorithm, digest, pin: source.pin, ...(body.id !== undefined ? { certificateId: body.id } : {}),
        });
        // Only a PIN this request brought starts a bulk session; using a kept one never extends it.
        if (bulk && source.from === 'request' && source.pin.kind === 'digits' && tokenSerial !== undefined) {
          ctx.bulkPins.remember(bulkKey, caller, tokenSerial, source.pin.pin);
        }
        return { data: Buffer.from(signature).toString('base64') };
      } catch (error) {
        if (bulk) ctx.bulkPins.forgetFor(bulkKey, caller);
        throw error;
      } finally {
        wipePin(source.pin);
      }
    });
  };
  signing('sign', 'nonRepudiation', 'Sign a digest with the non-repudiation key, or the key of `id` (RSA: PKCS#1 v1.5; EC: r‖s); bulk=true keeps the PIN');
  signing('authenticate', 'authentication', 'Sign a digest with the authentication key, or the key of `id`');

  route(app, ctx, 'POST', `${PKCS11_PREFIX}/readers/:rid/validate`, {
    summary: 'Check a signature of a digest against the token\'s certificate (no PIN needed)', tags: TAGS, params: slotParams, body: validateBody, response: z.object({ valid: z.boolean() }),
  }, async ({ params: { rid }, body }) => {
    const algorithm = algorithmOf(body.algorithm);
    const digest = base64Bytes(body.hash);
    if (digest.length !== DIGEST_BYTES[algorithm]) throw new T1CError('DIGEST_INVALID');
    const signature = base64Bytes(body.signedHash);
    const all = await certificates(rid);
    const wanted = body.id?.toUpperCase();
    const certificate = wanted !== undefined ? all.find((c) => c.id === wanted) : all.find((c) => c.usage === 'nonRepudiation');
    if (!certificate) throw new T1CError('CERTIFICATE_NOT_FOUND');
    return { valid: verifyDigestSignature(new X509Certificate(certificate.der).publicKey, algorithm, digest, signature) };
  });

  // GET from SDK ≥ 3.5.0, POST before (t1c-api.md §2.6): serve both.
  for (const method of ['GET', 'POST'] as const) {
    route(app, ctx, method, `${PKCS11_PREFIX}/reset-bulk-pin`, {
      summary: 'Forget every PIN kept for bulk signing', tags: TAGS, response: z.boolean(), options,
    }, async () => {
      ctx.bulkPins.reset();
      return true;
    });
  }
}
