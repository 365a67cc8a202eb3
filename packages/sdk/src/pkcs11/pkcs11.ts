import type { Connection } from '../connection.js';
import { signBody, verifyPinBody } from '../beid/bodies.js';
import type { CertificateList, SignatureResult } from '../types/beid.js';
import type { CardReader } from '../types/core.js';
import type {
  Pkcs11Certificates, Pkcs11Config, Pkcs11PinOptions, Pkcs11SignOptions, Pkcs11TokenInfoResponse, ValidateSignatureOptions,
} from '../types/pkcs11.js';

const PREFIX = '/v3/modules/pkcs11/apps/token';

/**
 * Any token with a PKCS#11 library (t1c-api.md §2.6). The connector loads the configured
 * library in its card process; each slot is a reader whose id is the slot id.
 */
export class Pkcs11 {
  constructor(private readonly connection: Connection) {}

  getConfig(): Promise<Pkcs11Config> {
    return this.connection.call(`${PREFIX}/config`);
  }

  /** Sets the library path per OS; a path outside the connector's allowed directories is refused. */
  setConfig(config: Partial<Pkcs11Config>): Promise<Pkcs11Config> {
    return this.connection.call(`${PREFIX}/config`, { method: 'POST', body: config });
  }

  /** Back to the default library paths. */
  resetConfig(): Promise<boolean> {
    return this.connection.call(`${PREFIX}/config/reset`, { method: 'PATCH' });
  }

  /** The library's slots as readers; `tokenPresent` keeps the slots holding a token. */
  slots(options: { tokenPresent?: boolean } = {}): Promise<CardReader[]> {
    return this.connection.call(`${PREFIX}/readers`, options.tokenPresent ? { query: { tokenPresent: 'true' } } : {});
  }

  token(slotId: string | number): Pkcs11Token {
    return new Pkcs11Token(this.connection, String(slotId));
  }

  /** Forgets the bulk-signing PIN. */
  resetBulkPin(): Promise<boolean> {
    return this.connection.call(`${PREFIX}/reset-bulk-pin`);
  }
}

/** One slot's token. */
export class Pkcs11Token {
  constructor(
    private readonly connection: Connection,
    readonly slotId: string,
  ) {}

  private path(op: string): string {
    return `${PREFIX}/readers/${encodeURIComponent(this.slotId)}/${op}`;
  }

  tokenInfo(): Promise<Pkcs11TokenInfoResponse> {
    return this.connection.call(this.path('info'));
  }
  certificates(): Promise<Pkcs11Certificates> {
    return this.connection.call(this.path('cert-list'));
  }
  authenticationCertificate(): Promise<CertificateList> {
    return this.connection.call(this.path('authentication-cert'));
  }
  nonRepudiationCertificate(): Promise<CertificateList> {
    return this.connection.call(this.path('nonrepudiation-cert'));
  }
  async supportedAlgorithms(): Promise<string[]> {
    return (await this.connection.call<{ ref: string[] }>(this.path('supported-algorithms'))).ref;
  }

  /** Resolves `true` when the token accepted the PIN; a wrong PIN rejects with PinIncorrectError. */
  async verifyPin(options: Pkcs11PinOptions = {}): Promise<boolean> {
    const pin = await this.connection.encryptPin(options.pin);
    const data = await this.connection.call<{ verified: boolean }>(this.path('verify-pin'), {
      method: 'POST', body: verifyPinBody(options, pin), headers: pin.headers, timeoutMs: 0, signal: options.signal,
    });
    return data.verified === true;
  }

  /** Signs a digest with the non-repudiation key (or the key of `id`). RSA: PKCS#1 v1.5; EC: r‖s. */
  sign(options: Pkcs11SignOptions): Promise<SignatureResult> {
    return this.signing('sign', options, false);
  }
  /** Signs and lets the connector keep the PIN for the next signatures until resetBulkPin(). */
  signBulk(options: Pkcs11SignOptions): Promise<SignatureResult> {
    return this.signing('sign', options, true);
  }
  /** Signs a digest with the authentication key. */
  authenticate(options: Pkcs11SignOptions): Promise<SignatureResult> {
    return this.signing('authenticate', options, false);
  }

  /** Checks a signature against the token's certificate (no PIN needed). */
  async validateSignature(options: ValidateSignatureOptions): Promise<boolean> {
    const data = await this.connection.call<{ valid: boolean }>(this.path('validate'), {
      method: 'POST', body: { algorithm: options.algorithm.toLowerCase(), hash: options.hash, signedHash: options.signedHash, id: options.id },
    });
    return data.valid === true;
  }

  private async signing(op: string, options: Pkcs11SignOptions, bulk: boolean): Promise<SignatureResult> {
    const body = signBody({ ...options, algorithm: options.algorithm.toLowerCase() }, { pin: undefined, headers: {} });
    const pin = await this.connection.encryptPin(options.pin);
    return this.connection.call<SignatureResult>(this.path(op), {
      method: 'POST', body: { ...body, pin: pin.pin }, headers: pin.headers, timeoutMs: 0, signal: options.signal,
      ...(bulk ? { query: { bulk: 'true' } } : {}),
    });
  }
}
