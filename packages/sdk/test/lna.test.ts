import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { connect, permissionState, T1cError } from '../src/index.js';
import { BASE, recordingFetch } from './helpers.js';

type Answer = string | Error;

/** Installs a navigator.permissions that answers per permission name (Node 20 has no navigator). */
function fakePermissions(answers: Record<string, Answer>): string[] {
  const asked: string[] = [];
  const permissions = {
    async query(descriptor: { name: string }): Promise<{ state: string }> {
      asked.push(descriptor.name);
      const answer = answers[descriptor.name];
      if (answer === undefined) throw new TypeError(`'${descriptor.name}' is not a valid enum value`);
      if (answer instanceof Error) throw answer;
      return { state: answer };
    },
  };
  Object.defineProperty(globalThis, 'navigator', { value: { permissions }, configurable: true, writable: true });
  return asked;
}

const original = Object.getOwnPropertyDescriptor(globalThis, 'navigator');
afterEach(() => {
  if (original) Object.defineProperty(globalThis, 'navigator', original);
  else Reflect.deleteProperty(globalThis, 'navigator');
});

test('permissionState reads loopback-network first', async () => {
  const asked = fakePermissions({ 'loopback-network': 'granted', 'local-network-access': 'denied' });
  assert.equal(await permissionState(), 'granted');
  assert.deepEqual(asked, ['loopback-network']);
});

test('permissionState falls back to local-network-access when loopback-network is unknown', async () => {
  const asked = fakePermissions({ 'local-network-access': 'prompt' });
  assert.equal(await permissionState(), 'prompt');
  assert.deepEqual(asked, ['loopback-network', 'local-network-access']);
});

test('permissionState is unknown when both names throw, or without a Permissions API', async () => {
  fakePermissions({});
  assert.equal(await permissionState(), 'unknown');
  fakePermissions({ 'loopback-network': 'weird-state', 'local-network-access': new Error('boom') });
  assert.equal(await permissionState(), 'unknown');
  Object.defineProperty(globalThis, 'navigator', { value: {}, configurable: true, writable: true });
  assert.equal(await permissionState(), 'unknown');
  Reflect.deleteProperty(globalThis, 'navigator');
  assert.equal(await permissionState(), 'unknown');
});

const refused = () => recordingFetch(() => {
  throw new TypeError('Failed to fetch');
});

test('a failed fetch while the permission is denied is permission-denied', async () => {
  fakePermissions({ 'loopback-network': 'denied' });
  await assert.rejects(connect({ fetch: refused().fetch, candidates: [BASE] }), (e: unknown) => {
    assert.ok(e instanceof T1cError);
    assert.equal(e.kind, 'permission-denied');
    assert.equal(e.code, '901002');
    return true;
  });
});

test('a failed fetch with the permission granted, prompt or unknown is connector-not-running', async () => {
  for (const state of ['granted', 'prompt']) {
    fakePermissions({ 'loopback-network': state });
    await assert.rejects(connect({ fetch: refused().fetch, candidates: [BASE] }), (e: unknown) => e instanceof T1cError && e.kind === 'connector-not-running', state);
  }
  fakePermissions({});
  await assert.rejects(connect({ fetch: refused().fetch, candidates: [BASE] }), (e: unknown) => e instanceof T1cError && e.kind === 'connector-not-running');
});
