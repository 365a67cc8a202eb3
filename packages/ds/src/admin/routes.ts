import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { DsError } from '../errors.js';
import type { DsContext } from '../http/context.js';
import { parse } from '../http/validate.js';
import { createAppBody, createOrgBody, idParams, logsQuery, originBody, registrationKeyBody, rotateSigningKeyBody, versionBody, versionParams } from './schemas.js';

export const ADMIN_PREFIX = '/admin/api/v1';

const digest = (value: string): Buffer => createHash('sha256').update(value).digest();

/** The admin REST API: everything behind one bearer token, compared in constant time. */
export function registerAdminRoutes(app: FastifyInstance, ctx: DsContext): void {
  const expected = digest(ctx.adminToken);
  const s = ctx.store;

  void app.register(async (admin) => {
    admin.addHook('onRequest', async (request: FastifyRequest) => {
      const auth = request.headers.authorization;
      const presented = typeof auth === 'string' && auth.startsWith('Bearer ') ? auth.slice(7) : '';
      if (!timingSafeEqual(digest(presented), expected)) throw new DsError('unauthorized');
    });

    // Any successful admin write may change origins or versions that sync answers carry.
    // onSend: before the admin sees the answer, so a sync that follows it sees the change.
    admin.addHook('onSend', async (request, reply, payload) => {
      if (request.method !== 'GET' && reply.statusCode < 400) ctx.snapshot.invalidate();
      return payload;
    });

    admin.get('/orgs', async () => ({ success: true, data: await s.applications.listOrgs() }));
    admin.post('/orgs', async (request, reply) => {
      const body = parse(createOrgBody, request.body, 'body');
      void reply.status(201);
      return { success: true, data: await s.applications.createOrg(body.name) };
    });

    admin.get('/apps', async () => ({ success: true, data: await s.applications.listApps() }));
    admin.post('/apps', async (request, reply) => {
      const body = parse(createAppBody, request.body, 'body');
      const { app: created, apiKey } = await s.applications.createApp(body.org, body.name, body.origins, body.tokenLifetime ?? ctx.config.defaultTokenLifetime);
      void reply.status(201);
      return { success: true, data: { applicationId: created.id, apiKey, application: created } };
    });
    admin.get('/apps/:id', async (request) => {
      const { id } = parse(idParams, request.params, 'path');
      return { success: true, data: await s.applications.getApp(id) };
    });
    admin.post('/apps/:id/rotate-key', async (request) => {
      const { id } = parse(idParams, request.params, 'path');
      return { success: true, data: { applicationId: id, apiKey: await s.applications.rotateKey(id) } };
    });
    admin.post('/apps/:id/revoke-key', async (request) => {
      const { id } = parse(idParams, request.params, 'path');
      await s.applications.revokeKey(id);
      return { success: true, data: { applicationId: id, revoked: true } };
    });
    admin.post('/apps/:id/origins', async (request) => {
      const { id } = parse(idParams, request.params, 'path');
      const { origin } = parse(originBody, request.body, 'body');
      return { success: true, data: await s.applications.addOrigin(id, origin) };
    });
    admin.post('/apps/:id/origins/remove', async (request) => {
      const { id } = parse(idParams, request.params, 'path');
      const { origin } = parse(originBody, request.body, 'body');
      return { success: true, data: await s.applications.removeOrigin(id, origin) };
    });

    admin.get('/versions', async () => ({ success: true, data: await s.versions.list() }));
    admin.put('/versions/:id', async (request) => {
      const { id } = parse(versionParams, request.params, 'path');
      const body = parse(versionBody, request.body ?? {}, 'body');
      const { version, registrationKey } = await s.versions.upsert({ id, ...body });
      return { success: true, data: { version, registrationKey } };
    });
    admin.post('/versions/:id/registration-keys', async (request) => {
      const { id } = parse(versionParams, request.params, 'path');
      const { maxDevices } = parse(registrationKeyBody, request.body ?? {}, 'body');
      return { success: true, data: { versionId: id, maxDevices: maxDevices ?? ctx.config.quotas.devicesPerRegistrationKey, registrationKey: await s.versions.addRegistrationKey(id, maxDevices) } };
    });

    admin.get('/devices', async () => ({
      success: true,
      data: (await s.devices.list()).map(({ publicKey: _omit, ...d }) => d),
    }));
    admin.get('/transactions', async () => ({ success: true, data: await s.devices.transactions() }));
    admin.get('/logs', async (request) => {
      const { device } = parse(logsQuery, request.query, 'query');
      return { success: true, data: await s.devices.logs(device) };
    });

    admin.post('/signing-keys/rotate', async (request) => {
      const { purpose } = parse(rotateSigningKeyBody, request.body ?? {}, 'body');
      const kid = purpose === 'sync' ? await ctx.answerSigner.rotate() : await ctx.signer.rotate();
      return { success: true, data: { kid, purpose } };
    });
  }, { prefix: ADMIN_PREFIX });
}
