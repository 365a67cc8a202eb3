import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { join } from 'node:path';
import type forge from 'node-forge';
import { readIfExists, writePrivateFile } from './private-file.js';
import { SignatureMemo } from './signature-memo.js';

/**
 * The per-install RSA-2048 device key (t1c-api.md §1.8): its SPKI public half is served on
 * /device-key (jsencrypt 3.0.0-rc.1 in SDK 3.6.1 takes nothing else), pages encrypt PINs
 * with it, and every enveloped response is signed with it.
 */
export class DeviceKey {
  readonly publicKeyPem: string;
  /** node-forge and the key in its form, loaded at the first PIN: an idle connector never needs them. */
  private decryption: { readonly forge: typeof forge; readonly key: forge.pki.rsa.PrivateKey } | undefined;
  private readonly signatures = new SignatureMemo((text) => sign('sha256', Buffer.from(text, 'utf8'), this.privateKey).toString('base64'));

  private constructor(private readonly privateKey: KeyObject) {
    this.publicKeyPem = createPublicKey(privateKey).export({ type: 'spki', format: 'pem' }).toString();
  }

  /** Loads what `decrypt` needs; awaited before a PIN is decoded, which itself stays synchronous. */
  async prepareDecryption(): Promise<void> {
    if (this.decryption) return;
    const { default: forgeModule } = await import('node-forge');
    const pkcs1 = this.privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
    this.decryption ??= { forge: forgeModule, key: forgeModule.pki.privateKeyFromPem(pkcs1) as forge.pki.rsa.PrivateKey };
  }

  /** Loads `device-key.pem` from the data directory, creating it (0600) on first start. */
  static loadOrCreate(dataDir: string): DeviceKey {
    const path = join(dataDir, 'device-key.pem');
    const existing = readIfExists(path);
    if (existing !== undefined) return new DeviceKey(createPrivateKey(existing));
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    writePrivateFile(path, privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
    return new DeviceKey(privateKey);
  }

  /** SHA-256 of the SPKI: what ties state (the seen-PIN memory) to this key's lifetime. */
  get fingerprint(): Uint8Array {
    return new Uint8Array(createHash('sha256').update(createPublicKey(this.privateKey).export({ type: 'spki', format: 'der' })).digest());
  }

  /** For signing DS requests; the key never leaves this process. */
  get signingKey(): KeyObject {
    return this.privateKey;
  }

  get modulusBytes(): number {
    return Math.ceil((this.privateKey.asymmetricKeyDetails?.modulusLength ?? 2048) / 8);
  }

  /** RSASSA-PKCS1-v1_5 / SHA-256, base64: what the SDK's verifySignature checks (deterministic, so memoised). */
  sign(text: string): string {
    return this.signatures.of(text);
  }

  /**
   * Decrypts one ciphertext. Node refuses RSA_PKCS1_PADDING decryption (CVE-2023-46809), so
   * node-forge does it. Returns undefined for every failure alike: no padding oracle.
   */
  decrypt(ciphertext: Uint8Array, scheme: 'pkcs1' | 'oaep-sha256'): Uint8Array | undefined {
    const { decryption } = this;
    if (!decryption) throw new Error('DeviceKey.decrypt before prepareDecryption');
    const size = this.modulusBytes;
    if (ciphertext.length === 0 || ciphertext.length > size) return undefined;
    // jsencrypt does not left-pad: about one PIN in 256 arrives a byte short.
    const padded = new Uint8Array(size);
    padded.set(ciphertext, size - ciphertext.length);
    try {
      const binary = Buffer.from(padded).toString('binary');
      const plain = scheme === 'pkcs1'
        ? decryption.key.decrypt(binary, 'RSAES-PKCS1-V1_5')
        : decryption.key.decrypt(binary, 'RSA-OAEP', { md: decryption.forge.md.sha256.create(), mgf1: { md: decryption.forge.md.sha256.create() } });
      return new Uint8Array(Buffer.from(plain, 'binary'));
    } catch {
      return undefined;
    } finally {
      padded.fill(0);
    }
  }
}
