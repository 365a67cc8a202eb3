import { webcrypto } from 'node:crypto';
import type { FetchInit, FetchLike, ResponseLike } from '../src/index.js';

export interface Call {
  readonly url: URL;
  readonly init: FetchInit;
  /** The parsed JSON body, if any. */
  readonly body: unknown;
}

export type Handler = (call: Call) => ResponseLike | Promise<ResponseLike>;

/** A fetch that records every request and answers through `handler`. */
export function recordingFetch(handler: Handler): { fetch: FetchLike; calls: Call[] } {
  const calls: Call[] = [];
  const fetch: FetchLike = async (url, init) => {
    const call: Call = { url: new URL(url), init, body: init.body === undefined ? undefined : JSON.parse(init.body) };
    calls.push(call);
    return handler(call);
  };
  return { fetch, calls };
}

export function jsonResponse(status: number, body: unknown, headers: Record<string, string> = {}): ResponseLike {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });
}

export function textResponse(status: number, text: string, headers: Record<string, string> = {}): ResponseLike {
  return new Response(text, { status, headers });
}

export const INFO = { t1CInfoAPI: { version: '3.8.8', service: { deviceType: 'STANDALONE' } } };

/** A device key pair as the connector holds it: SPKI PEM out, OAEP decrypt and RSA sign in. */
export interface TestDeviceKey {
  readonly publicPem: string;
  decrypt(base64: string): Promise<string>;
  sign(data: unknown): Promise<string>;
}

let cached: Promise<TestDeviceKey> | undefined;

export function testDeviceKey(): Promise<TestDeviceKey> {
  cached ??= (async () => {
    const subtle = webcrypto.subtle;
    const pair = await subtle.generateKey(
      { name: 'RSA-OAEP', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' },
      true, ['encrypt', 'decrypt'],
    );
    const spki = Buffer.from(await subtle.exportKey('spki', pair.publicKey)).toString('base64');
    const pkcs8 = await subtle.exportKey('pkcs8', pair.privateKey);
    const signer = await subtle.importKey('pkcs8', pkcs8, { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }, false, ['sign']);
    return {
      publicPem: `-----BEGIN PUBLIC KEY-----\n${spki.replace(/(.{64})/g, '$1\n')}\n-----END PUBLIC KEY-----\n`,
      async decrypt(base64) {
        const plain = await subtle.decrypt({ name: 'RSA-OAEP' }, pair.privateKey, Buffer.from(base64, 'base64'));
        return new TextDecoder().decode(plain);
      },
      async sign(data) {
        const bytes = new TextEncoder().encode(JSON.stringify(data));
        return Buffer.from(await subtle.sign({ name: 'RSASSA-PKCS1-v1_5' }, signer, bytes)).toString('base64');
      },
    };
  })();
  return cached;
}

/** A signed success envelope, as the connector sends it. */
export async function signed(data: unknown, key?: TestDeviceKey): Promise<ResponseLike> {
  const signature = key ? await key.sign(data) : undefined;
  return jsonResponse(200, { success: true, data, signature });
}

/**
 * A connector that answers /info and /device-key, and `routes` for the rest (path → handler).
 * Unknown paths get the connector's 404 body.
 */
export async function fakeConnector(routes: Record<string, Handler> = {}, options: { sign?: boolean } = {}) {
  const key = await testDeviceKey();
  const signer = options.sign === false ? undefined : key;
  return recordingFetch(async (call) => {
    const path = call.url.pathname;
    if (path === '/info') return jsonResponse(200, INFO);
    if (path === '/device-key') return signed(key.publicPem, signer);
    const route = routes[path];
    if (route) return route(call);
    return jsonResponse(404, { success: false, code: '112999', description: 'Functionality not found' });
  });
}

export const BASE = 'http://127.0.0.1:51983';
