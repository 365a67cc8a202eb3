import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { EmvCertificate } from '../../../ipc/index.js';
import {
  emvApplicationDataWireSchema, emvApplicationsSchema, emvCertificateKeys, emvCertificatesSchema, emvCertListSchema,
  toEmvApplicationData, toEmvApplications, toEmvCertificate, type EmvCertificateKey,
} from '../../../wire/index.js';
import type { ApiContext } from '../../context.js';
import { T1CError } from '../../errors.js';
import { route } from '../../route.js';
import { filterQuery, readerParams } from '../../schemas.js';
import { EMV_PREFIX } from './paths.js';

const TAGS = ['emv'];

/** `/{aid}/readers/{rid}`: the AID as hex in either case (EMV Book 1: 5 to 16 bytes). */
export const aidParams = readerParams.extend({
  aid: z.string().regex(/^(?:[0-9A-Fa-f]{2}){5,16}$/).transform((s) => s.toUpperCase()),
});

const CERTIFICATE_OF: Record<EmvCertificateKey, 'issuer' | 'icc'> = { issuerPublicCertificate: 'issuer', ICCPublicCertificate: 'icc' };

/** `recover=true` (this connector's extension): answer only with a recovered, verified key, else say why not. */
const certificateQuery = filterQuery.extend({ recover: z.enum(['true', 'false']).optional() });

/** Why a certificate did not recover, as the T1C error a page can act on. */
function recoveryError(cert: EmvCertificate): T1CError | undefined {
  if (cert.recovered?.hashValid === true) return undefined;
  const reason = cert.problem?.reason;
  switch (cert.problem?.status) {
    case 'no-key': return new T1CError('CA_KEY_UNKNOWN', reason);
    case 'expired': return new T1CError('CA_KEY_EXPIRED', reason);
    default: return new T1CError('CERTIFICATE_INVALID', reason ?? 'the recovered certificate\'s hash does not match');
  }
}

/** `{certificates: [...]}`; an absent certificate is an error, never `[]` (§2.3.4). */
function certificateList(cert: EmvCertificate | undefined, recover: boolean): z.infer<typeof emvCertificatesSchema> {
  if (!cert) throw new T1CError('CERTIFICATE_NOT_FOUND', 'The application holds no such certificate');
  const refused = recover ? recoveryError(cert) : undefined;
  if (refused) throw refused;
  return { certificates: [toEmvCertificate(cert)] };
}

/** Read-only EMV endpoints (t1c-api.md §2.7). */
export function registerEmvDataRoutes(app: FastifyInstance, ctx: ApiContext): void {
  route(app, ctx, 'GET', `${EMV_PREFIX}/readers/:rid/data`, {
    summary: 'The payment applications on the card (AID, label as name, priority)', tags: TAGS, params: readerParams, response: emvApplicationsSchema,
  }, async ({ params: { rid } }) => {
    return toEmvApplications((await ctx.cards.call('emv', 'applications', rid, {})).applications);
  });

  route(app, ctx, 'GET', `${EMV_PREFIX}/readers/:rid/application-data`, {
    summary: 'PAN, dates, cardholder name, country and language of the preferred application', tags: TAGS, params: readerParams, response: emvApplicationDataWireSchema,
  }, async ({ params: { rid } }) => {
    return toEmvApplicationData(await ctx.cards.call('emv', 'applicationData', rid, {}));
  });

  const certificates = (rid: string, aid: string): Promise<{ issuer?: EmvCertificate; icc?: EmvCertificate }> => ctx.cards.call('emv', 'certificates', rid, { aid });
  for (const [path, key, summary] of [
    ['issuer-cert', 'issuerPublicCertificate', 'The issuer public key certificate of an application, with exponent and remainder'],
    ['icc-cert', 'ICCPublicCertificate', 'The card (ICC) public key certificate of an application, with exponent and remainder'],
  ] as const) {
    route(app, ctx, 'GET', `${EMV_PREFIX}/:aid/readers/:rid/${path}`, { summary, tags: TAGS, params: aidParams, querystring: certificateQuery, response: emvCertificatesSchema },
      async ({ params: { rid, aid }, query }) => certificateList((await certificates(rid, aid))[CERTIFICATE_OF[key]], query.recover === 'true'));
  }
  route(app, ctx, 'GET', `${EMV_PREFIX}/:aid/readers/:rid/cert-list`, {
    summary: 'Both certificates of an application (filter=issuerPublicCertificate,ICCPublicCertificate)',
    tags: TAGS, params: aidParams, querystring: certificateQuery, response: emvCertListSchema,
  }, async ({ params: { rid, aid }, query }) => {
    const certs = await certificates(rid, aid);
    const asked = (query.filter ?? '').split(',').map((s) => s.trim()).filter((s): s is EmvCertificateKey => (emvCertificateKeys as readonly string[]).includes(s));
    const keys = asked.length > 0 ? asked : [...emvCertificateKeys];
    return Object.fromEntries(keys.filter((k) => certs[CERTIFICATE_OF[k]]).map((k) => [k, certificateList(certs[CERTIFICATE_OF[k]], query.recover === 'true')]));
  });
}
