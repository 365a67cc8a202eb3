import { EmvCard, paymentSchemeCaKeyTable, type EmvCaKeyTable, type EmvCertificates, type Recovery } from '@t1c/smartcard/emv';
import { SandboxError, type EmvApplicationData, type EmvCertificate } from '../../ipc/index.js';
import type { CardContext, CardModule } from '../card-module.js';
import { ApplicationLists } from './application-lists.js';

type CardCertificate = NonNullable<EmvCertificates['issuer']>;

function recovered(recovery: Recovery): EmvCertificate['recovered'] {
  if (recovery.status !== 'recovered') return undefined;
  const k = recovery.key;
  return {
    format: k.format, owner: k.owner, expiry: k.expiry, serialNumber: k.serialNumber, hashAlgorithm: k.hashAlgorithm,
    publicKeyAlgorithm: k.publicKeyAlgorithm, modulus: k.modulus, exponent: k.exponent, hashValid: k.hashValid,
  };
}

/** The card module's certificate as the contract carries it, field by field. */
function toContract(cert: CardCertificate | undefined): EmvCertificate | undefined {
  if (!cert) return undefined;
  const r = recovered(cert.recovery);
  const problem = cert.recovery.status === 'recovered' ? undefined : { status: cert.recovery.status, reason: cert.recovery.reason };
  return { certificate: cert.certificate, exponent: cert.exponent, remainder: cert.remainder, ...(r ? { recovered: r } : {}), ...(problem ? { problem } : {}) };
}

export interface EmvModuleOptions {
  /** The terminal's CA public key table to recover issuer certificates with; the payment schemes' production keys by default. */
  readonly authorities?: EmvCaKeyTable;
}

/**
 * The EMV payment card module. Bank cards come with thousands of ATRs, so it claims none: the
 * registry asks it to probe a card no ATR row claimed (SELECT of the PPSE, then the PSE).
 */
export function emvModule(options: EmvModuleOptions = {}): CardModule<'emv'> {
  const authorities = options.authorities ?? paymentSchemeCaKeyTable();
  const lists = new ApplicationLists();
  /** The card with this insertion's list; an AID the card does not list is a bad argument (no APDU for it). */
  const openFor = async (card: CardContext, aid: string | undefined): Promise<EmvCard> => {
    const emv = await EmvCard.open(card.session, {}, await lists.of(card));
    if (aid !== undefined && !emv.applications.some((a) => a.aid === aid)) {
      throw new SandboxError('ARGS_INVALID', 'the card lists no application with this AID');
    }
    return emv;
  };
  return {
    name: 'emv',
    atrs: [],
    probe: (session) => EmvCard.recognise(session),
    ops: {
      applications: async (card) => {
        const { applications } = await lists.of(card);
        return { applications: applications.map((a) => ({ aid: a.aid, label: a.label, ...(a.priority !== undefined ? { priority: a.priority } : {}) })) };
      },
      applicationData: async (card, { aid }) => {
        const d = await (await openFor(card, aid)).applicationData(aid);
        const out: EmvApplicationData = { aid: d.aid, pan: d.pan, expirationDate: d.expirationDate };
        if (d.effectiveDate !== undefined) out.effectiveDate = d.effectiveDate;
        if (d.name !== undefined) out.name = d.name;
        if (d.country !== undefined) out.country = d.country;
        if (d.countryCode !== undefined) out.countryCode = d.countryCode;
        if (d.language !== undefined) out.language = d.language;
        return out;
      },
      certificates: async (card, { aid }) => {
        const certs = await (await openFor(card, aid)).certificates(aid, authorities);
        const issuer = toContract(certs.issuer);
        const icc = toContract(certs.icc);
        return { ...(issuer ? { issuer } : {}), ...(icc ? { icc } : {}) };
      },
      verifyPin: async (card, { pin, aid }) => {
        await (await openFor(card, aid)).verifyPin(pin, aid);
        return { verified: true };
      },
    },
    forget: (readerName) => {
      lists.forget(readerName);
    },
    close: async () => {
      lists.clear();
    },
  };
}
