import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { DeviceKey } from '../security/device-key.js';
import { Pkcs11LibraryConfig } from '../config/pkcs11-libraries.js';
import { SeenCiphertexts } from '../security/seen-ciphertexts.js';
import { servedHosts } from '../security/served-hosts.js';
import { buildApp } from './app.js';
import { BulkPins } from './bulk-pins.js';
import type { ApiCards } from './context.js';
import { T1CError } from './errors.js';
import { openApiDocument, routesOf, type OpenApiDocument } from './openapi.js';

const noCards: ApiCards = {
  listReaders: () => Promise.reject(new T1CError('SANDBOX_UNAVAILABLE')),
  isListed: () => false,
  call: () => Promise.reject(new T1CError('SANDBOX_UNAVAILABLE')),
};

/**
 * Runs `use` on the app built as `t1c api` builds it, in a throw-away data directory and
 * without a sandbox; it never listens, and everything is removed afterwards.
 */
export async function withThrowawayApp<T>(use: (app: FastifyInstance) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 't1c-openapi-'));
  try {
    const deviceKey = DeviceKey.loadOrCreate(dir);
    const seenPins = SeenCiphertexts.open(dir, deviceKey.fingerprint);
    try {
      const app = await buildApp({
        cards: noCards,
        deviceKey,
        jwt: undefined,
        policy: { allowOrigins: [], allowNoOrigin: false, allowPlainPin: false, pinRateLimitPerMinute: 20, bodyLimitBytes: 64 * 1024 },
        pinDialog: () => Promise.reject(new T1CError('PIN_DIALOG_UNAVAILABLE')),
        bulkPins: new BulkPins({ lifetimeMs: 0, maxSignatures: 0, now: Date.now }),
        hosts: servedHosts({ scheme: 'http', names: [], port: () => 0 }),
        seenPins,
        pkcs11: new Pkcs11LibraryConfig(dir),
        now: Date.now,
        service: { url: 'http://127.0.0.1', port: 0 },
      });
      try {
        await app.ready();
        return await use(app);
      } finally {
        await app.close();
      }
    } finally {
      seenPins.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The OpenAPI document of the connector API (`t1c api --openapi`). */
export function describeApi(): Promise<OpenApiDocument> {
  return withThrowawayApp(async (app) => openApiDocument(routesOf(app)));
}
