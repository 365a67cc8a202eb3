import { type KeyObject, createHash, createPublicKey, verify } from 'node:crypto';
import type { z } from 'zod';
import { TIMESTAMP_WINDOW_MS, envelopeSchema } from '../client/protocol.js';
import { DsError } from '../errors.js';
import { parse } from './validate.js';

const keyCache = new Map<string, KeyObject>();

/** Parses a device public key; only RSA ≥ 2048 bits is accepted. */
export function devicePublicKey(pem: string): { key: KeyObject; fingerprint: string; pem: string } {
  const cached = keyCache.get(pem);
  let key: KeyObject;
  if (cached !== undefined) {
    key = cached;
  } else {
    try {
      key = createPublicKey({ key: pem, format: 'pem' });
    } catch {
      throw new DsError('invalidInput', 'invalid payload.publicKey: not a PEM public key');
    }
    if (key.asymmetricKeyType !== 'rsa' || (key.asymmetricKeyDetails?.modulusLength ?? 0) < 2048) {
      throw new DsError('invalidInput', 'invalid payload.publicKey: an RSA key of at least 2048 bits is required');
    }
    if (keyCache.size > 10_000) keyCache.clear();
    keyCache.set(pem, key);
  }
  const der = key.export({ format: 'der', type: 'spki' });
  const canonicalPem = key.export({ format: 'pem', type: 'spki' }).toString();
  return { key, fingerprint: createHash('sha256').update(der).digest('hex'), pem: canonicalPem };
}

/** Decodes the envelope's payload without trusting it yet (the key may be inside it). */
export function openEnvelope<S extends z.ZodType>(body: unknown, schema: S): { payload: z.output<S>; signed: string; signature: Buffer } {
  const envelope = parse(envelopeSchema, body, 'body');
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(envelope.payload, 'base64url').toString('utf8'));
  } catch {
    throw new DsError('invalidInput', 'invalid body.payload: not base64url JSON');
  }
  return { payload: parse(schema, json, 'payload'), signed: envelope.payload, signature: Buffer.from(envelope.signature, 'base64url') };
}

/** Signature, then freshness; the nonce is checked in the write transaction. */
export function checkSigned(opened: { signed: string; signature: Buffer; payload: { ts: number } }, key: KeyObject): void {
  const ok = verify('sha256', Buffer.from(opened.signed, 'ascii'), key, opened.signature);
  if (!ok) throw new DsError('badSignature');
  if (Math.abs(Date.now() - opened.payload.ts) > TIMESTAMP_WINDOW_MS) throw new DsError('staleRequest');
}
