import type { FastifyInstance } from 'fastify';
import type { BeidCertificateName, BeidReadout } from '../../../ipc/index.js';
import { certificateOf, toAddress, toBiometric, toPicture, toTokenInfo, type T1CCertificate } from '../../../wire/index.js';
import type { ApiContext } from '../../context.js';
import { envelope } from '../../envelope.js';
import { T1CError } from '../../errors.js';
import { moduleReader } from '../../readers.js';
import { filterQuery, parse, readerParams } from '../../schemas.js';
import { BEID_PREFIX } from './paths.js';

/** Certificate endpoints and cert-list keys → the card certificate they serve. */
const CERTIFICATES = {
  rootCertificate: { path: 'root-cert', name: 'root' },
  intermediateCertificates: { path: 'intermediate-certs', name: 'ca' },
  authenticationCertificate: { path: 'authentication-cert', name: 'authentication' },
  nonRepudiationCertificate: { path: 'nonrepudiation-cert', name: 'nonRepudiation' },
} as const satisfies Record<string, { path: string; name: BeidCertificateName }>;
type CertificateKey = keyof typeof CERTIFICATES;

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

/** Read-only Belgian eID endpoints (t1c-api.md §2.3). */
export function registerBeidDataRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const readout = async (params: unknown): Promise<BeidReadout> => {
    const { rid } = parse(readerParams, params, 'reader id');
    await moduleReader(ctx.cards, rid, 'beid');
    return ctx.cards.call('beid', 'read', rid, {});
  };
  const route = (path: string, build: (r: BeidReadout, query: unknown) => unknown): void => {
    app.get(`${BEID_PREFIX}/readers/:rid/${path}`, async (request) => envelope(ctx.deviceKey, build(await readout(request.params), request.query)));
  };

  route('biometric', toBiometric);
  route('address', toAddress);
  route('picture', toPicture);
  route('info', toTokenInfo);
  route('version', (r) => ({ version: r.applet }));
  route('supported-algorithms', () => ({ ref: ['sha1', 'sha256', 'sha384', 'sha512'] }));
  route('all-data', (r, query) => {
    // `integrity` is our extension (each check's verdict); the official SDK passes extra keys through.
    const parts = { biometric: toBiometric, address: toAddress, picture: toPicture, integrity: (x: BeidReadout) => x.integrity };
    const keys = selected(parse(filterQuery, query, 'query').filter, ['biometric', 'address', 'picture', 'integrity'] as const);
    return Object.fromEntries(keys.map((k) => [k, parts[k](r)]));
  });
  route('integrity', (r) => r.integrity);
  for (const key of Object.keys(CERTIFICATES) as CertificateKey[]) {
    route(CERTIFICATES[key].path, (r) => certificateResponse(r, key));
  }
  // The Belgian eID has no encryption key: an error, because `[]` breaks the SDK (§2.3.4).
  app.get(`${BEID_PREFIX}/readers/:rid/encryption-cert`, async (request) => {
    await readout(request.params);
    throw new T1CError('CERTIFICATE_NOT_FOUND', 'The Belgian eID has no encryption certificate');
  });
  route('cert-list', (r, query) => {
    const keys = selected(parse(filterQuery, query, 'query').filter, Object.keys(CERTIFICATES) as CertificateKey[]);
    return Object.fromEntries(keys.filter((k) => r.certificates[CERTIFICATES[k].name]).map((k) => [k, certificateResponse(r, k)]));
  });
}
