import assert from 'node:assert/strict';
import { test } from 'node:test';
import { connect, T1cError } from '../src/index.js';
import { BASE, fakeConnector, signed, testDeviceKey, type Call, type Handler } from './helpers.js';

const RID = 'f00d~1.a';
const PREFIX = '/v3/modules/beid/apps/token';
const READER = `${PREFIX}/readers/${RID}`;
const DIGEST = new Uint8Array(32).fill(7);
const DIGEST_B64 = Buffer.from(DIGEST).toString('base64');

/** A connector that answers every beid path with `{echo: path}`, signed. */
async function beid() {
  const key = await testDeviceKey();
  const routes: Record<string, Handler> = {};
  for (const op of ['all-data', 'biometric', 'address', 'picture', 'info', 'version', 'supported-algorithms', 'cert-list',
    'root-cert', 'intermediate-certs', 'authentication-cert', 'nonrepudiation-cert', 'encryption-cert', 'verify-pin', 'sign', 'authenticate']) {
    routes[`${READER}/${op}`] = (call) => signed(op === 'supported-algorithms' ? { ref: ['sha256'] } : op === 'verify-pin' ? { verified: true } : { echo: call.url.pathname }, key);
  }
  routes[`${PREFIX}/reset-bulk-pin`] = () => signed(true, key);
  const connector = await fakeConnector(routes);
  const client = await connect({ fetch: connector.fetch, candidates: [BASE] });
  const last = (): Call => {
    const call = connector.calls.at(-1);
    assert.ok(call);
    return call;
  };
  return { card: client.beid(RID), last, key };
}

test('data and certificate calls GET the paths of t1c-api.md §2.3', async () => {
  const { card, last } = await beid();
  const cases: [() => Promise<unknown>, string][] = [
    [() => card.biometric(), 'biometric'], [() => card.address(), 'address'], [() => card.picture(), 'picture'],
    [() => card.tokenInfo(), 'info'], [() => card.version(), 'version'], [() => card.rootCertificate(), 'root-cert'],
    [() => card.intermediateCertificates(), 'intermediate-certs'], [() => card.authenticationCertificate(), 'authentication-cert'],
    [() => card.nonRepudiationCertificate(), 'nonrepudiation-cert'], [() => card.encryptionCertificate(), 'encryption-cert'],
    [() => card.allData(), 'all-data'], [() => card.certificates(), 'cert-list'],
  ];
  for (const [call, op] of cases) {
    assert.deepEqual(await call(), { echo: `${READER}/${op}` });
    assert.equal(last().init.method, 'GET');
    assert.equal(last().url.search, '', op);
  }
  assert.deepEqual(await card.supportedAlgorithms(), ['sha256']);
});

test('filters go out as one comma-joined filter parameter', async () => {
  const { card, last } = await beid();
  await card.allData(['biometric', 'picture']);
  assert.equal(last().url.searchParams.get('filter'), 'biometric,picture');
  await card.certificates(['rootCertificate', 'nonRepudiationCertificate']);
  assert.equal(last().url.searchParams.get('filter'), 'rootCertificate,nonRepudiationCertificate');
  await card.allData([]);
  assert.equal(last().url.search, '');
});

test('sign posts TokenAuthenticateOrSignData with the digest as base64', async () => {
  const { card, last, key } = await beid();
  await card.sign({ algorithm: 'sha256', digest: DIGEST, pin: '1234', txId: 't-1', language: 'nl' });
  const call = last();
  assert.equal(call.url.pathname, `${READER}/sign`);
  assert.equal(call.url.search, '');
  assert.equal(call.init.method, 'POST');
  const body = call.body as Record<string, unknown>;
  assert.deepEqual(Object.keys(body).sort(), ['algorithm', 'base64Encoded', 'data', 'language', 'pin', 'txId']);
  assert.equal(body.algorithm, 'sha256');
  assert.equal(body.data, DIGEST_B64);
  assert.match(await key.decrypt(String(body.pin)), /^T1C-PIN-1:\d+:1234$/);
});

test('a base64 digest is passed through; authenticate and signBulk use their paths', async () => {
  const { card, last } = await beid();
  await card.authenticate({ algorithm: 'sha256', digest: DIGEST_B64, osDialog: true });
  assert.equal(last().url.pathname, `${READER}/authenticate`);
  assert.deepEqual(last().body, { algorithm: 'sha256', data: DIGEST_B64, osDialog: true, base64Encoded: true });
  await card.signBulk({ algorithm: 'sha384', digest: DIGEST_B64, pin: '1234' });
  assert.equal(last().url.pathname, `${READER}/sign`);
  assert.equal(last().url.search, '?bulk=true');
  assert.equal(await card.resetBulkPin(), true);
  assert.equal(last().url.pathname, `${PREFIX}/reset-bulk-pin`);
  assert.equal(last().init.method, 'GET');
});

test('a digest string that is not base64 is refused before anything is sent', async () => {
  const { card, last } = await beid();
  const before = last();
  for (const digest of ['', 'not base64', 'AAA', 'AA==AA==']) {
    await assert.rejects(card.sign({ algorithm: 'sha256', digest }), (e: unknown) => e instanceof T1cError && e.kind === 'invalid-input' && e.code === '106003', digest);
  }
  assert.equal(last(), before);
});

test('verifyPin resolves with verified', async () => {
  const { card, last } = await beid();
  assert.equal(await card.verifyPin({ osDialog: true }), true);
  assert.equal(last().url.pathname, `${READER}/verify-pin`);
});
