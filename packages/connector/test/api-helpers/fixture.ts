import { constants, publicEncrypt } from 'node:crypto';
import { PassThrough } from 'node:stream';
import type { BeidVirtualCardOptions } from '@t1c/emulator';
import { startApi, type RunningApi, type StartApiOptions } from '../../src/index.js';
import { client, verifiedData, type Client } from './http.js';
import { AUDIENCE, ISSUER, testIssuer, type TestIssuer } from './jwt.js';
import { startPcscRig, tempDir, type PcscRig } from './rig.js';

export const ORIGIN = 'https://app.example.org';
export const PIN = '739164';

export interface Fixture {
  readonly rig: PcscRig;
  readonly api: RunningApi;
  readonly base: string;
  readonly issuer: TestIssuer;
  readonly jwt: string;
  /** Keep-alive client sending the JWT and the allowed Origin. */
  readonly c: Client;
  readonly logs: string[];
  readonly dataDir: string;
  readerId(index: number): Promise<string>;
  close(): Promise<void>;
}

/** pcscd + vpcd cards, `startApi` (HTTPS local CA, JWT, allow-list) with a real sandbox child. */
export async function startFixture(cards?: BeidVirtualCardOptions[], extra: Partial<StartApiOptions> = {}): Promise<Fixture> {
  const dir = tempDir('t1c-api-');
  const rig = await startPcscRig(cards ?? [{ appletVersion: '1.7', pin: PIN }, { appletVersion: '1.8', pin: PIN }]);
  const issuer = testIssuer(dir.path);
  const logs: string[] = [];
  const logStream = new PassThrough();
  logStream.on('data', (chunk: Buffer) => logs.push(chunk.toString('utf8')));
  const api = await startApi({
    port: 0, transport: 'local-ca', dataDir: `${dir.path}/data`,
    jwtPublicKey: issuer.publicKeyFile, jwtIssuer: ISSUER, jwtAudience: AUDIENCE,
    allowOrigins: [ORIGIN, 'https://*.example.net'], pinRateLimitPerMinute: 10_000, logLevel: 'debug',
    env: { ...process.env, XDG_CONFIG_HOME: `${dir.path}/config` }, logStream, ...extra,
  });
  const base = `${api.url.startsWith('https') ? 'https' : 'http'}://127.0.0.1:${api.port}`;
  const jwt = await issuer.token();
  const c = client(base, api.caCertPem, { authorization: `Bearer ${jwt}`, origin: ORIGIN });
  return {
    rig, api, base, issuer, jwt, c, logs, dataDir: `${dir.path}/data`,
    readerId: async (index) => {
      const name = rig.readerNames[index];
      const list = verifiedData(await c.call('GET', '/v3/readers'), api.deviceKeyPem) as { id: string; name: string }[];
      const found = list.find((r) => r.name === name);
      if (!found) throw new Error(`reader ${String(name)} not listed`);
      return found.id;
    },
    close: async () => {
      c.close();
      await api.close();
      await rig.close();
      dir.remove();
    },
  };
}

/** What jsencrypt 3.0.0-rc.1 in SDK 3.6.1 sends: PKCS#1 v1.5, base64, not left-padded. */
export function encryptPin(pem: string, pin: string): string {
  const ct = publicEncrypt({ key: pem, padding: constants.RSA_PKCS1_PADDING }, Buffer.from(pin));
  let start = 0;
  while (start < ct.length && ct[start] === 0) start++;
  return ct.subarray(start).toString('base64');
}

/** What our SDK sends: RSA-OAEP/SHA-256 of `T1C-PIN-1:<ms>:<digits>`; `at` defaults to now. */
export function encryptPinOaep(pem: string, pin: string, at: number = Date.now()): string {
  return publicEncrypt({ key: pem, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, Buffer.from(`T1C-PIN-1:${at}:${pin}`)).toString('base64');
}

export const beidPath = (rid: string, op: string): string => `/v3/modules/beid/apps/token/readers/${rid}/${op}`;
