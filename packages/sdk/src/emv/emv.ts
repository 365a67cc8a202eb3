import type { Connection } from '../connection.js';
import type {
  EmvApplicationData, EmvCertificateFilter, EmvCertificateList, EmvCertificates, EmvData, EmvPinOptions,
} from '../types/emv.js';

const PREFIX = '/v3/modules/emv/apps/payment';

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

  issuerCertificate(aid: string): Promise<EmvCertificateList> {
    return this.connection.call(this.path('issuer-cert', aid));
  }

  iccCertificate(aid: string): Promise<EmvCertificateList> {
    return this.connection.call(this.path('icc-cert', aid));
  }

  certificates(aid: string, filters?: readonly EmvCertificateFilter[]): Promise<EmvCertificates> {
    const filter = filters && filters.length > 0 ? filters.join(',') : undefined;
    return this.connection.call(this.path('cert-list', aid), { query: { filter } });
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
