import type { Connection } from '../connection.js';
import type {
  BeidIntegrity,
  BeidAddress, BeidAllData, BeidBiometric, BeidCertificateFilter, BeidCertificates, BeidDataFilter,
  BeidPicture, BeidTokenInfo, CertificateList, PinOptions, SignatureResult, SignOptions,
} from '../types/beid.js';
import { signBody, verifyPinBody } from './bodies.js';

const PREFIX = '/v3/modules/beid/apps/token';

/** `filter=a,b`, left out when empty (t1c-api.md §2.3). */
const filterQuery = (filters: readonly string[] | undefined): Record<string, string | undefined> => ({
  filter: filters && filters.length > 0 ? filters.join(',') : undefined,
});

/** The Belgian eID in one reader: the endpoints of t1c-api.md §2.3, paths and bodies as is. */
export class Beid {
  constructor(
    private readonly connection: Connection,
    readonly readerId: string,
  ) {}

  private path(op: string): string {
    return `${PREFIX}/readers/${encodeURIComponent(this.readerId)}/${op}`;
  }

  private get<T>(op: string, query?: Record<string, string | undefined>): Promise<T> {
    return this.connection.call<T>(this.path(op), query ? { query } : {});
  }

  allData(filters?: readonly BeidDataFilter[]): Promise<BeidAllData> {
    return this.get('all-data', filterQuery(filters));
  }
  biometric(): Promise<BeidBiometric> {
    return this.get('biometric');
  }
  address(): Promise<BeidAddress> {
    return this.get('address');
  }
  picture(): Promise<BeidPicture> {
    return this.get('picture');
  }
  tokenInfo(): Promise<BeidTokenInfo> {
    return this.get('info');
  }
  /** Our connector's extension: the integrity verdict of the card's data. */
  integrity(): Promise<BeidIntegrity> {
    return this.get('integrity');
  }
  version(): Promise<{ version: string }> {
    return this.get('version');
  }
  async supportedAlgorithms(): Promise<string[]> {
    return (await this.get<{ ref: string[] }>('supported-algorithms')).ref;
  }

  certificates(filters?: readonly BeidCertificateFilter[]): Promise<BeidCertificates> {
    return this.get('cert-list', filterQuery(filters));
  }
  rootCertificate(): Promise<CertificateList> {
    return this.get('root-cert');
  }
  intermediateCertificates(): Promise<CertificateList> {
    return this.get('intermediate-certs');
  }
  authenticationCertificate(): Promise<CertificateList> {
    return this.get('authentication-cert');
  }
  nonRepudiationCertificate(): Promise<CertificateList> {
    return this.get('nonrepudiation-cert');
  }
  /** The Belgian eID has no encryption key: our connector answers 'not-found'. */
  encryptionCertificate(): Promise<CertificateList> {
    return this.get('encryption-cert');
  }

  /** Resolves `true` when the card accepted the PIN; a wrong PIN rejects with PinIncorrectError. */
  async verifyPin(options: PinOptions = {}): Promise<boolean> {
    const pin = await this.connection.encryptPin(options.pin);
    const data = await this.connection.call<{ verified: boolean }>(this.path('verify-pin'), {
      method: 'POST', body: verifyPinBody(options, pin), headers: pin.headers, timeoutMs: 0, signal: options.signal,
    });
    return data.verified === true;
  }

  /** Signs a digest with the non-repudiation key. */
  sign(options: SignOptions): Promise<SignatureResult> {
    return this.signing('sign', options, false);
  }
  /** Signs and lets the connector keep the PIN for the next signatures until resetBulkPin(). */
  signBulk(options: SignOptions): Promise<SignatureResult> {
    return this.signing('sign', options, true);
  }
  /** Signs a digest with the authentication key. */
  authenticate(options: SignOptions): Promise<SignatureResult> {
    return this.signing('authenticate', options, false);
  }

  /** Forgets the bulk-signing PIN (device-wide, no reader in the path). */
  resetBulkPin(): Promise<boolean> {
    return this.connection.call<boolean>(`${PREFIX}/reset-bulk-pin`);
  }

  private async signing(op: string, options: SignOptions, bulk: boolean): Promise<SignatureResult> {
    const body = signBody(options, { pin: undefined, headers: {} });
    const pin = await this.connection.encryptPin(options.pin);
    return this.connection.call<SignatureResult>(this.path(op), {
      method: 'POST', body: { ...body, pin: pin.pin }, headers: pin.headers, timeoutMs: 0, signal: options.signal,
      ...(bulk ? { query: { bulk: 'true' } } : {}),
    });
  }
}
