import { createHmac, randomBytes } from 'node:crypto';
import { chmodSync, closeSync, fsyncSync, openSync, readFileSync, readSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { ensurePrivateDir } from './private-file.js';

const MAGIC = Buffer.from('T1CSEEN1', 'ascii');
const FINGERPRINT_BYTES = 32;
const SALT_BYTES = 32;
const HEADER_BYTES = MAGIC.length + FINGERPRINT_BYTES + SALT_BYTES;
/** 2^23 bits (1 MiB): 1 % false positives after ~874,000 PINs, 0.1 % after ~559,000. */
export const FILTER_BITS = 2 ** 23;
/** Hash functions: optimal for ~1 % at capacity (k = 0.693 m/n ≈ 6.6). */
export const FILTER_HASHES = 7;
export const SEEN_FILE = 'pin-ciphertexts.bloom';

/**
 * Every encrypted PIN the connector accepted, for the device key's lifetime: a Bloom filter on
 * disk (mode 0600, next to the device key). It cannot forget, so an old capture never becomes
 * usable again; a false positive only makes an honest client encrypt again (fresh randomness).
 * Positions come from HMAC-SHA-256 under a random salt in the file, so nobody can choose
 * ciphertexts that aim at each other's bits. A new device key starts a new memory.
 */
export class SeenCiphertexts {
  private constructor(private readonly fd: number, private readonly salt: Buffer, private readonly bits: Buffer) {}

  static open(dataDir: string, keyFingerprint: Uint8Array): SeenCiphertexts {
    ensurePrivateDir(dataDir);
    const path = join(dataDir, SEEN_FILE);
    const existing = readOrUndefined(path);
    const valid = existing !== undefined && existing.length === HEADER_BYTES + FILTER_BITS / 8
      && existing.subarray(0, MAGIC.length).equals(MAGIC)
      && existing.subarray(MAGIC.length, MAGIC.length + FINGERPRINT_BYTES).equals(Buffer.from(keyFingerprint));
    if (!valid) createFile(path, keyFingerprint);
    const file = valid ? existing : readFileSync(path);
    const salt = Buffer.from(file.subarray(MAGIC.length + FINGERPRINT_BYTES, HEADER_BYTES));
    const bits = Buffer.from(file.subarray(HEADER_BYTES));
    chmodSync(path, 0o600);
    return new SeenCiphertexts(openSync(path, 'r+'), salt, bits);
  }

  /**
   * True the first time this ciphertext is offered, false ever after. Synchronous, so two
   * concurrent requests with one ciphertext cannot both win; on disk (fsync) before it returns,
   * so the PIN is used only once it is remembered.
   */
  firstUse(ciphertext: Uint8Array): boolean {
    const digest = createHmac('sha256', this.salt).update(ciphertext).digest();
    const changed = new Set<number>();
    const onDisk = Buffer.alloc(1);
    for (let i = 0; i < FILTER_HASHES; i++) {
      const bit = digest.readUInt32BE(i * 4) % FILTER_BITS;
      const byte = bit >>> 3;
      const mask = 1 << (bit & 7);
      // Another connector on the same data directory may have set bits since we loaded.
      readSync(this.fd, onDisk, 0, 1, HEADER_BYTES + byte);
      const current = (this.bits[byte] ?? 0) | (onDisk[0] ?? 0);
      this.bits[byte] = current;
      if ((current & mask) === 0) {
        this.bits[byte] = current | mask;
        changed.add(byte);
      }
    }
    if (changed.size === 0) return false;
    for (const byte of changed) writeSync(this.fd, this.bits, byte, 1, HEADER_BYTES + byte);
    fsyncSync(this.fd);
    return true;
  }

  close(): void {
    closeSync(this.fd);
  }
}

function readOrUndefined(path: string): Buffer | undefined {
  try {
    return readFileSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** An empty filter for this key, written whole and synced before it replaces anything. */
function createFile(path: string, keyFingerprint: Uint8Array): void {
  const temp = `${path}.${process.pid}.tmp`;
  const fd = openSync(temp, 'w', 0o600);
  try {
    writeSync(fd, Buffer.concat([MAGIC, Buffer.from(keyFingerprint), randomBytes(SALT_BYTES)]));
    writeSync(fd, Buffer.alloc(FILTER_BITS / 8));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temp, path);
}
