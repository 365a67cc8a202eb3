import { type GeneralJWS, GeneralSign } from 'jose';
import { type JsonWebKeySet, SYNC_JWS_TYPE } from '../client/protocol.js';
import type { SigningKeyRing } from './key-ring.js';

/**
 * Signs register and sync answers with the device-sync keys, which sign nothing else: an
 * answer can never pass for an application token, whatever a verifier checks.
 */
export class SyncAnswerSigner {
  constructor(private readonly ring: SigningKeyRing) {}

  ensureKey(): Promise<void> {
    return this.ring.ensureKey();
  }

  rotate(): Promise<string> {
    return this.ring.rotate();
  }

  /** The public sync keys devices pin (announced inside the signed answer). */
  jwks(): Promise<JsonWebKeySet> {
    return this.ring.jwks();
  }

  /**
   * A general JWS over the document's JSON, signed with the active key and, during a
   * rotation, also the previous one: a device that pinned only the previous key still
   * verifies the answer and learns the new key from it.
   */
  async sign(document: unknown): Promise<GeneralJWS> {
    const { active, previous } = await this.ring.keys();
    const jws = new GeneralSign(new TextEncoder().encode(JSON.stringify(document)));
    for (const k of previous === null ? [active] : [active, previous]) {
      jws.addSignature(k.key).setProtectedHeader({ alg: k.alg, kid: k.kid, typ: SYNC_JWS_TYPE });
    }
    return jws.sign();
  }
}
