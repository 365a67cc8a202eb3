import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { beidReadoutSchema, type BeidCertificateName, type BeidReadout } from '../../../ipc/index.js';
import {
  certificateOf, certificatesSchema, toAddress, toBiometric, toPicture, toTokenInfo,
  tokenAddressDataSchema, tokenBiometricDataSchema, tokenInfoSchema, tokenPictureDataSchema, type T1CCertificate,
} from '../../../wire/index.js';
import type { ApiContext } from '../../context.js';
import { T1CError } from '../../errors.js';
import { route } from '../../route.js';
import { filterQuery, readerParams } from '../../schemas.js';
import { BEID_PREFIX } from './paths.js';

const TAGS = ['beid'];

/** Certificate endpoints and cert-list keys → the card certificate they serve. */
const CERTIFICATES = {
  rootCertificate: { path: 'root-cert', name: 'root', summary: 'The Belgian root CA certificate' },
  intermediateCertificates: { path: 'intermediate-certs', name: 'ca', summary: 'The citizen CA certificate' },
  authenticationCertificate: { path: 'authentication-cert', name: 'authentication', summary: 'The authentication certificate' },
  nonRepudiationCertificate: { path: 'nonrepudiation-cert', name: 'nonRepudiation', summary: 'The signing (non-repudiation) certificate' },
} as const satisfies Record<string, { path: string; name: BeidCertificateName; summary: string }>;
type CertificateKey = keyof typeof CERTIFICATES;
const CERTIFICATE_KEYS = Object.keys(CERTIFICATES) as CertificateKey[];

/** `{certificates: [...]}`, the ≥ 3.6 shape; an absent certificate is an error, never `[]`. */
function certificateResponse(readout: BeidReadout, key: CertificateKey): { certificates: T1CCertificate[] } {
  const certificate = certificateOf(readout, CERTIFICATES[key].name);
  if (!certificate) throw new T1CError('CERTIFICATE_NOT_FOUND');
  return { certificates: [certificate] };
}

/** `filter=a,b`; empty or unknown-only filters mean "everything" (t1c-api.md §2.3 notes). */
function selected<K extends string>(filter: string | undefined, keys: readonly K[]): K[] {
  const asked = (filter ?? '').split(',').map((s) => s.trim()).filter((s): s is K => (keys as readonly string[]).includes(s));
  return asked.length > 0 ? asked : [...keys];
}

const integritySchema = beidReadoutSchema.shape.integrity;
/** `integrity` is our extension (each check's verdict); the official SDK passes extra keys through. */
const allDataSchema = z.object({
  biometric: tokenBiometricDataSchema.optional(),
  address: tokenAddressDataSchema.optional(),
  picture: tokenPictureDataSchema.optional(),
  integrity: integritySchema.optional(),
});
const certListSchema = z.object({
  rootCertificate: certificatesSchema.optional(),
  intermediateCertificates: certificatesSchema.optional(),
  authenticationCertificate: certificatesSchema.optional(),
  nonRepudiationCertificate: certificatesSchema.optional(),
}) satisfies z.ZodType<Partial<Record<CertificateKey, unknown>>>;

/** Read-only Belgian eID endpoints (t1c-api.md §2.3). */
export function registerBeidDataRoutes(app: FastifyInstance, ctx: ApiContext): void {
  // One sandbox request: its reader and card checks answer READER_UNKNOWN, NO_CARD, CARD_UNKNOWN.
  const readout = (rid: string): Promise<BeidReadout> => ctx.cards.call('beid', 'read', rid, {});
  const get = <R>(path: string, summary: string, response: z.ZodType<R>, build: (r: BeidReadout) => R): void => {
    route(app, ctx, 'GET', `${BEID_PREFIX}/readers/:rid/${path}`, { summary, tags: TAGS, params: readerParams, response },
      async ({ params }) => build(await readout(params.rid)));
  };
  const filtered = <R>(path: string, summary: string, response: z.ZodType<R>, build: (r: BeidReadout, filter: string | undefined) => R): void => {
    route(app, ctx, 'GET', `${BEID_PREFIX}/readers/:rid/${path}`, { summary, tags: TAGS, params: readerParams, querystring: filterQuery, response },
      async ({ params, query }) => build(await readout(params.rid), query.filter));
  };

  get('biometric', 'The identity file (national register data)', tokenBiometricDataSchema, toBiometric);
  get('address', 'The address file', tokenAddressDataSchema, toAddress);
  get('picture', 'The holder\'s photo (JPEG, base64)', tokenPictureDataSchema, toPicture);
  get('info', 'Token information (TokenInfo file and card data)', tokenInfoSchema, toTokenInfo);
  get('version', 'The applet version', z.object({ version: z.string() }), (r) => ({ version: r.applet }));
  get('supported-algorithms', 'Digest algorithms the card signs', z.object({ ref: z.array(z.string()) }), () => ({ ref: ['sha1', 'sha256', 'sha384', 'sha512'] }));
  filtered('all-data', 'Identity, address, photo and integrity verdicts (filter=biometric,address,picture,integrity)', allDataSchema, (r, filter) => {
    const parts = { biometric: toBiometric, address: toAddress, picture: toPicture, integrity: (x: BeidReadout) => x.integrity };
    const keys = selected(filter, ['biometric', 'address', 'picture', 'integrity'] as const);
    return Object.fromEntries(keys.map((k) => [k, parts[k](r)]));
  });
  get('integrity', 'The verdict of each integrity check (RRN signatures, photo hash, basic key)', integritySchema, (r) => r.integrity);
  for (const key of CERTIFICATE_KEYS) {
    get(CERTIFICATES[key].path, CERTIFICATES[key].summary, certificatesSchema, (r) => certificateResponse(r, key));
  }
  // The Belgian eID has no encryption key: an error, because `[]` breaks the SDK (§2.3.4).
  get('encryption-cert', 'Always refused: the Belgian eID has no encryption key', certificatesSchema, () => {
    throw new T1CError('CERTIFICATE_NOT_FOUND', 'The Belgian eID has no encryption certificate');
  });
  filtered('cert-list', 'The card\'s certificates (filter=rootCertificate,intermediateCertificates,…)', certListSchema, (r, filter) => {
    const keys = selected(filter, CERTIFICATE_KEYS);
    return Object.fromEntries(keys.filter((k) => r.certificates[CERTIFICATES[k].name]).map((k) => [k, certificateResponse(r, k)]));
  });
}
