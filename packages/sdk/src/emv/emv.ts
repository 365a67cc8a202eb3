import type { Connection } from '../connection.js';
import type {
  EmvApplicationData, EmvCertificateFilter, EmvCertificateOptions, EmvCertificateList, EmvCertificates, EmvData, EmvPinOptions,
} from '../types/emv.js';

const PREFIX = '/v3/modules/emv/apps/payment';

const recoverQuery = (options: EmvCertificateOptions): { recover: string | undefined } => ({ recover: options.recover === true ? 'true' : undefined });

/** An EMV payment card in one reader: the endpoints of t1c-api.md §2.7, paths and bodies as is. */
export class Emv {
  constructor(
    private readonly connection: Connection,
    readonly readerId: string,
  ) {}

  /** `…/payment[/{aid}]/readers/{rid}/{op}`: the reader segment is always there. */
  private path(op: string, aid?: string): string {
    const app = aid === undefined ? '' : `/${encodeURIComponent(aid)}`;
    return `${PREFIX}${app}/readers/${encodeURIComponent(this.readerId)}/${op}`;
  }

  /** The applications on the card, with the label as `name` and their priority. */
  data(): Promise<EmvData> {
    return this.connection.call(this.path('data'));
  }

  /** PAN, dates, name and country of the application the card prefers. */
  applicationData(): Promise<EmvApplicationData> {
    return this.connection.call(this.path('application-data'));
  }

  /**
   * The certificate as T1C gives it. With `{recover: true}` (this connector's extension) the
   * answer carries `recovered`, the issuer's or card's public key recovered with the payment
   * scheme's CA key (EMV Book 2 §5.3, §6.4), or rejects: 302003 (no CA key for the RID and
   * index), 302004 (the CA key expired), 302005 (the certificate does not recover).
   */
  issuerCertificate(aid: string, options: EmvCertificateOptions = {}): Promise<EmvCertificateList> {
    return this.connection.call(this.path('issuer-cert', aid), { query: recoverQuery(options) });
  }

  iccCertificate(aid: string, options: EmvCertificateOptions = {}): Promise<EmvCertificateList> {
    return this.connection.call(this.path('icc-cert', aid), { query: recoverQuery(options) });
  }

  certificates(aid: string, filters?: readonly EmvCertificateFilter[], options: EmvCertificateOptions = {}): Promise<EmvCertificates> {
    const filter = filters && filters.length > 0 ? filters.join(',') : undefined;
    return this.connection.call(this.path('cert-list', aid), { query: { filter, ...recoverQuery(options) } });
  }

  /** Offline plaintext PIN check; resolves `true`, or rejects with PinIncorrectError (tries left) or a blocked-PIN error. */
  async verifyPin(options: EmvPinOptions = {}): Promise<boolean> {
    const pin = await this.connection.encryptPin(options.pin);
    const data = await this.connection.call<{ verified: boolean }>(this.path('verify-pin'), {
      method: 'POST',
      body: { pin: pin.pin, osDialog: options.osDialog, base64Encoded: true, timeout: options.timeout },
      headers: pin.headers, timeoutMs: 0, signal: options.signal,
    });
    return data.verified === true;
  }
}
