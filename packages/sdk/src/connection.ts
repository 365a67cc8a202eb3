import { importDeviceKey, type DeviceKey } from './crypto/device-key.js';
import { encryptPin, PIN_ENCRYPTION_HEADER, PIN_ENCRYPTION_OAEP } from './crypto/pin.js';
import { unwrapEnvelope, type SignatureCheck } from './envelope.js';
import { sdkError, T1cError } from './errors/t1c-error.js';
import type { RequestOptions, Transport } from './http/transport.js';

export interface EncryptedPin {
  readonly pin: string | undefined;
  readonly headers: Readonly<Record<string, string>>;
}

/**
 * A discovered connector: the transport plus what the device key gives (response checks,
 * PIN encryption). Shared by the client and the card modules; not exported from the package.
 */
export class Connection {
  private key: DeviceKey | undefined;

  constructor(
    readonly transport: Transport,
    private readonly signatureCheck: SignatureCheck,
    private readonly plainPinFallback: boolean,
  ) {}

  get deviceKey(): DeviceKey | undefined {
    return this.key;
  }

  /** GET/POST an enveloped endpoint and return its checked `data`. */
  async call<T>(path: string, options: RequestOptions = {}): Promise<T> {
    const body = await this.transport.request(path, options);
    return (await unwrapEnvelope(body, this.key, this.signatureCheck)) as T;
  }

  /**
   * Fetches and imports `/device-key`. The first answer cannot be checked by a key we do not
   * have yet; a later one is checked against the key already held.
   */
  async loadDeviceKey(): Promise<DeviceKey> {
    const data = await this.call<unknown>('/device-key');
    const key = await importDeviceKey(data);
    this.key = key;
    return key;
  }

  /** The `pin` body field and the header naming its scheme (OAEP, not the official PKCS#1). */
  async encryptPin(pin: string | undefined): Promise<EncryptedPin> {
    if (pin === undefined || pin === '') return { pin: undefined, headers: {} };
    if (!this.key) {
      try {
        await this.loadDeviceKey();
      } catch (error) {
        if (!this.plainPinFallback) {
          throw sdkError('pin-encryption-failed', 'The connector\'s device key is unavailable, so the PIN cannot be encrypted', { cause: error });
        }
      }
    }
    if (!this.key) {
      if (!/^\d{4,12}$/.test(pin)) throw new T1cError('invalid-input', '108002', 'The PIN must be 4 to 12 digits');
      return { pin, headers: {} };
    }
    return { pin: await encryptPin(this.key, pin), headers: { [PIN_ENCRYPTION_HEADER]: PIN_ENCRYPTION_OAEP } };
  }
}
