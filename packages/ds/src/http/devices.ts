import type { FastifyInstance } from 'fastify';
import {
  DEVICE_PATHS, MAX_LOG_BYTES, type SyncData, TIMESTAMP_WINDOW_MS,
  logsPayloadSchema, registerPayloadSchema, syncPayloadSchema,
} from '../client/protocol.js';
import { DsError } from '../errors.js';
import { versionPolicy } from '../policy/version-policy.js';
import { parseKey, secretMatches } from '../secrets.js';
import type { Device, OsName } from '../store/model.js';
import type { DsContext } from './context.js';
import { checkSigned, devicePublicKey, openEnvelope } from './device-auth.js';

/** Device registration, signed sync and log upload (wire shapes in client/protocol.ts). */
export function registerDeviceRoutes(app: FastifyInstance, ctx: DsContext): void {
  let lastPrune = 0;
  const pruneNonces = (): void => {
    // Nonces older than twice the window can never be replayed successfully.
    if (Date.now() - lastPrune < 60_000) return;
    lastPrune = Date.now();
    ctx.store.devices.pruneNonces((2 * TIMESTAMP_WINDOW_MS) / 1000).catch(() => undefined);
  };

  const syncData = async (device: Device, os: OsName, version: string, counters: SyncData['counters']): Promise<SyncData> => {
    const [{ origins, versions }, jwks, syncKeys] = await Promise.all([ctx.snapshot.get(), ctx.signer.jwks(), ctx.answerSigner.jwks()]);
    const { issuer, audience } = ctx.signer.options;
    return {
      deviceId: device.id, serverTime: new Date().toISOString(), origins, issuer, audience,
      jwks, syncKeys, config: { 'ds.cycle': ctx.config.dsCycle },
      versionPolicy: versionPolicy(version, os, versions), counters,
    };
  };

  const signedDevice = async (deviceId: string): Promise<{ device: Device; key: ReturnType<typeof devicePublicKey> }> => {
    const device = await ctx.store.devices.get(deviceId);
    if (device === null) throw new DsError('unknownDevice');
    return { device, key: devicePublicKey(device.publicKey) };
  };

  app.post(DEVICE_PATHS.register, async (request) => {
    const opened = openEnvelope(request.body, registerPayloadSchema);
    const { payload } = opened;
    const key = devicePublicKey(payload.publicKey);
    // Proof of possession: the envelope must verify with the key being registered.
    checkSigned(opened, key.key);
    const regKey = parseKey('rk', payload.registrationKey);
    const stored = regKey === null ? null : await ctx.store.versions.registrationKey(regKey.keyId);
    const matches = secretMatches(regKey?.secret ?? '', stored?.keyHash ?? '0'.repeat(64));
    if (stored === null || !matches) throw new DsError('unauthorized', 'Registration key is not valid');
    pruneNonces();
    const device = await ctx.store.devices.register({
      fingerprint: key.fingerprint, publicKey: key.pem, os: payload.os, version: payload.version, nonce: payload.nonce,
      registrationKeyId: stored.keyId, quotas: ctx.config.quotas,
    });
    ctx.metrics.inc('ds_device_registrations_total', 'Device registrations');
    request.log.info({ deviceId: device.id, registeredWith: stored.versionId }, 'device registered');
    const data = await syncData(device, payload.os, payload.version, null);
    return { success: true, data, signed: await ctx.answerSigner.sign(data) };
  });

  app.post(DEVICE_PATHS.sync, { bodyLimit: 512 * 1024 }, async (request) => {
    const opened = openEnvelope(request.body, syncPayloadSchema);
    const { payload } = opened;
    const { device, key } = await signedDevice(payload.deviceId);
    checkSigned(opened, key.key);
    pruneNonces();
    const result = await ctx.store.devices.sync({ device, nonce: payload.nonce, os: payload.os, version: payload.version, counters: payload.counters, quotas: ctx.config.quotas });
    ctx.metrics.inc('ds_device_syncs_total', 'Device syncs');
    const counters = payload.counters === undefined ? null : { batchId: payload.counters.batchId, applied: result.countersApplied };
    const data = await syncData(device, payload.os, payload.version, counters);
    return { success: true, data, signed: await ctx.answerSigner.sign(data) };
  });

  app.post(DEVICE_PATHS.logs, { bodyLimit: MAX_LOG_BYTES * 2 }, async (request) => {
    const opened = openEnvelope(request.body, logsPayloadSchema);
    const { payload } = opened;
    if (Buffer.byteLength(payload.content) > MAX_LOG_BYTES) throw new DsError('bodyTooLarge', 'log upload exceeds 1 MiB');
    const { device, key } = await signedDevice(payload.deviceId);
    checkSigned(opened, key.key);
    const id = await ctx.store.devices.addLog({ device, nonce: payload.nonce, content: payload.content, quotas: ctx.config.quotas });
    return { success: true, data: { id, size: Buffer.byteLength(payload.content) } };
  });
}
