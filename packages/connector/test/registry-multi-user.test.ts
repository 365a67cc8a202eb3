import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import type { AgentRecord } from '../src/registry/agent-table.js';
import { ConsentSigner } from '../src/registry/consent.js';
import { T1C_BIN } from './helpers/run-cli.js';
import { OsUsers, waitForOutput, waitForStderr, type CurlAnswer } from './helpers/os-users.js';
import { startPageServer } from './api-helpers/page-server.js';

const A = 't1c-reg-a';
const B = 't1c-reg-b';
const C = 't1c-reg-c';
const ORIGIN = 'https://app.example.org';
/** Also allowed by the Registry, so only the consent's origin binding can refuse it. */
const OTHER_ORIGIN = 'https://other.example.org';
const OFFICIAL_SDK = fileURLToPath(new URL('./helpers/official-sdk-consent-as-user.mjs', import.meta.url));
const SDK_READ = fileURLToPath(new URL('./helpers/sdk-read-as-user.mjs', import.meta.url));
const HOLDERS = { [A]: 'Alpha', [B]: 'Bravo' } as const;

/**
 * The test's scratch space lives under /run: the throw-away root (where the users exist)
 * bind-mounts the real /run, so root, the users and this test see the same files.
 */
function scratchDir(): string {
  const dir = mkdtempSync('/run/t1c-registry-test-');
  chmodSync(dir, 0o755);
  return dir;
}

describe('t1c registry: two OS users, one well-known port, each reaches only their own card', () => {
  let users: OsUsers;
  let dir: string;
  let registry: ChildProcess;
  let registryUrl = '';
  let page: Awaited<ReturnType<typeof startPageServer>>;
  const agentUrl: Record<string, string> = {};
  const agents: Record<string, ChildProcess> = {};
  const displays: Record<string, string> = { [A]: ':71', [B]: ':72' };

  const json = <T>(answer: CurlAnswer): T => JSON.parse(answer.body) as T;

  /** Starts the Registry; resolves once it listens and each of `live` has (re-)registered. */
  async function startRegistry(mode: string, live: readonly string[] = []): Promise<void> {
    registry = users.spawn('root', [process.execPath, T1C_BIN, 'registry', '--port', '0', '--mode', mode, '--socket', join(dir, 'sock', 'registry.sock'),
      '--data-dir', join(dir, 'registry-data'), '--allow-origin', ORIGIN, '--allow-origin', OTHER_ORIGIN, '--allow-origin', page.origin, '--log-level', 'info']);
    const registered = live.map(agentLive);
    registryUrl = (await waitForStderr(registry, /t1c registry listening on (http:\/\/\S+)/))[1] ?? '';
    await Promise.all(registered);
  }
  async function stopRegistry(): Promise<void> {
    const exited = new Promise<void>((resolve) => registry.once('exit', () => resolve()));
    registry.kill('SIGTERM');
    await exited;
  }
  /** Waits for the Registry's own log line saying `user`'s agent is live. */
  const agentLive = (user: string): Promise<unknown> => waitForOutput(registry, new RegExp(`"username":"${user}","port":\\d+,"msg":"agent (ready|registered again)"`), 'stdout');

  async function startAgent(user: string): Promise<void> {
    const live = agentLive(user);
    agents[user] = users.spawn(user, [process.execPath, T1C_BIN, 'api', '--registry', join(dir, 'sock', 'registry.sock'), '--http', '--no-jwt',
      '--no-pcsc', '--virtual-card', 'beid', '--virtual-card-data', join(dir, `${user}.json`), '--allow-origin', ORIGIN, '--allow-origin', page.origin, '--log-level', 'warn'], { DISPLAY: displays[user] });
    const child = agents[user];
    assert.ok(child);
    agentUrl[user] = (await waitForStderr(child, /t1c api listening on (http:\/\/\S+)/))[1] ?? '';
    await live;
  }

  /** Our SDK (packages/sdk) under Node as `user`, through the Registry. */
  async function sdkRead(user: string, codeWord?: string): Promise<{ url?: string; surname?: string; kind?: string }> {
    const r = await users.run(user, [process.execPath, SDK_READ, registryUrl, ...(codeWord ? [codeWord] : [])]);
    assert.equal(r.code, 0, r.stderr);
    return JSON.parse(r.stdout) as { url?: string; surname?: string; kind?: string };
  }

  /** Reads the holder's surname of the only card `user` sees at `base`. */
  async function surnameAt(user: string, base: string): Promise<string> {
    const readers = await users.curl(user, `${base}/v3/readers`);
    assert.equal(readers.status, 200, readers.body);
    const [reader] = json<{ data: { id: string }[] }>(readers).data;
    assert.ok(reader);
    const bio = await users.curl(user, `${base}/v3/modules/beid/apps/token/readers/${reader.id}/biometric`);
    assert.equal(bio.status, 200, bio.body);
    return json<{ data: { name: string } }>(bio).data.name;
  }

  before(async () => {
    users = await OsUsers.create([A, B, C]);
    page = await startPageServer();
    dir = scratchDir();
    for (const [user, surname] of Object.entries(HOLDERS)) {
      writeFileSync(join(dir, `${user}.json`), JSON.stringify({ surname, firstNames: `${surname} Test`, birthDate: '03 MEI 2001', gender: 'F', nationalNumber: '01050312366', address: { streetAndNumber: 'Kerkstraat 1', zipCode: '2000', municipality: 'Antwerpen' } }), { mode: 0o644 });
    }
    // Each user's own X display, for the clipboard the consent mode reads.
    for (const user of [A, B]) users.spawn(user, ['Xvfb', displays[user] ?? '', '-nolisten', 'tcp']);
    await startRegistry('ours');
    await Promise.all([startAgent(A), startAgent(B)]);
  });
  after(async () => {
    await users?.close();
    await page?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  describe('mode ours: the Registry forwards to the caller\'s own agent by OS user alone', () => {
    it('A reads A\'s card and B reads B\'s, through the same port', async () => {
      assert.equal(await surnameAt(A, registryUrl), 'Alpha');
      assert.equal(await surnameAt(B, registryUrl), 'Bravo');
    });
    it('the SDK\'s headers pass both ways: CORS preflight and the echoed Origin come from the agent', async () => {
      const preflight = await users.curl(A, `${registryUrl}/v3/readers`, ['-X', 'OPTIONS', '-H', `Origin: ${ORIGIN}`, '-H', 'Access-Control-Request-Method: GET',
        '-H', 'Access-Control-Request-Headers: x-csrf-token, authorization, x-t1c-billing-tag']);
      assert.equal(preflight.status, 204, preflight.headers);
      assert.match(preflight.headers, /access-control-allow-headers: .*x-csrf-token/i);
      const get = await users.curl(A, `${registryUrl}/v3/readers`, ['-H', `Origin: ${ORIGIN}`, '-H', 'X-CSRF-Token: t1c-js', '-H', 'X-T1C-BILLING-TAG: tag']);
      assert.equal(get.status, 200);
      assert.match(get.headers, new RegExp(`access-control-allow-origin: ${ORIGIN}`, 'i'));
      const refused = await users.curl(A, `${registryUrl}/v3/readers`, ['-H', 'Origin: https://evil.example']);
      assert.equal(refused.status, 403, 'the agent\'s own origin check still applies');
    });
    it('B straight to A\'s agent port: 403 104032', async () => {
      const r = await users.curl(B, `${agentUrl[A]}/v3/readers`);
      assert.equal(r.status, 403);
      assert.equal(json<{ code: string }>(r).code, '104032');
    });
    it('our SDK, unchanged, reads each user\'s own card through the Registry; C gets kind no-agent', async () => {
      assert.deepEqual(await sdkRead(A), { url: registryUrl, surname: 'Alpha' });
      assert.deepEqual(await sdkRead(B), { url: registryUrl, surname: 'Bravo' });
      assert.deepEqual(await sdkRead(C), { kind: 'no-agent' });
    });
    it('C, who has no agent, gets 112020 "no agent"', async () => {
      const r = await users.curl(C, `${registryUrl}/v3/readers`);
      assert.equal(r.status, 503);
      assert.equal(json<{ code: string }>(r).code, '112020');
    });
    it('a DNS-rebinding Host is refused (by the agent the connection is spliced to)', async () => {
      const r = await users.curl(A, `${registryUrl}/v3/readers`, ['-H', 'Host: evil.example']);
      assert.equal(r.status, 421);
    });
  });

  describe('mode optional-consent (after a Registry restart: agents register again by themselves)', () => {
    before(async () => {
      await stopRegistry();
      await startRegistry('optional-consent', [A, B]);
    });
    it('/info says PROXY with optionalConsent', async () => {
      const info = json<{ t1CInfoAPI: { service: { deviceType: string }; optionalConsent: boolean } }>(await users.curl(C, `${registryUrl}/info`));
      assert.equal(info.t1CInfoAPI.service.deviceType, 'PROXY');
      assert.equal(info.t1CInfoAPI.optionalConsent, true);
    });
    it('/v3/agents lists only the caller\'s own agent; each reads their own card on it', async () => {
      for (const user of [A, B]) {
        const list = json<{ data: { apiPort: string; username: string }[] }>(await users.curl(user, `${registryUrl}/v3/agents`)).data;
        assert.equal(list.length, 1);
        assert.equal(list[0]?.username, user);
        assert.equal(list[0]?.apiPort, new URL(agentUrl[user] ?? '').port, 'the agent kept its port across the Registry restart');
        assert.equal(await surnameAt(user, `http://127.0.0.1:${list[0]?.apiPort}`), HOLDERS[user as keyof typeof HOLDERS]);
      }
      assert.deepEqual(json<{ data: unknown[] }>(await users.curl(C, `${registryUrl}/v3/agents`)).data, []);
    });
    it('our SDK follows /v3/agents to the user\'s own agent; C gets kind no-agent', async () => {
      assert.deepEqual(await sdkRead(A), { url: agentUrl[A], surname: 'Alpha' });
      assert.deepEqual(await sdkRead(B), { url: agentUrl[B], surname: 'Bravo' });
      assert.deepEqual(await sdkRead(C), { kind: 'no-agent' });
    });
  });
  describe('mode consent: the code word on the caller\'s clipboard picks the agent; consents are signed, bound and expire', () => {
    const word = `::t1c::miksa::${'x'.repeat(8)}${Date.now()}`;
    let consentOfA = '';
    type ConsentAnswer = { data: { consentState: string; consents: string[]; consent?: string } };
    const post = (user: string, path: string, body: unknown, origin = ORIGIN): Promise<CurlAnswer> => users.curl(user, `${registryUrl}${path}`, ['-X', 'POST',
      '-H', 'Content-Type: application/json', '-H', 'X-CSRF-Token: t1c-js', '-H', `Origin: ${origin}`, '--data-binary', JSON.stringify(body)]);
    const decode = (consent: string): { agent: Record<string, unknown> } => JSON.parse(Buffer.from(consent, 'base64').toString('utf8')) as { agent: Record<string, unknown> };

    before(async () => {
      await stopRegistry();
      await startRegistry('consent', [A, B]);
      const copied = await users.run(A, ['sh', '-c', 'printf %s "$W" | xclip -selection clipboard -i >/dev/null 2>&1'], { DISPLAY: displays[A], W: word });
      assert.equal(copied.code, 0, copied.stderr);
    });

    it('/info says PROXY without optionalConsent (the SDK asks for consent)', async () => {
      const info = json<{ t1CInfoAPI: { service: { deviceType: string }; optionalConsent: boolean } }>(await users.curl(A, `${registryUrl}/info`));
      assert.equal(info.t1CInfoAPI.service.deviceType, 'PROXY');
      assert.equal(info.t1CInfoAPI.optionalConsent, false);
    });
    it('B posting A\'s code word gets no consent (B\'s clipboard does not hold it)', async () => {
      const r = json<ConsentAnswer>(await post(B, '/v3/consent', { codeWord: word, durationInDays: 1 }));
      assert.equal(r.data.consentState, 'REQUIRED');
      assert.equal(r.data.consent, undefined);
    });
    it('A posting the word on A\'s clipboard gets APPROVED with A\'s agent port; A reads A\'s card there', async () => {
      const r = json<ConsentAnswer>(await post(A, '/v3/consent', { codeWord: word, durationInDays: 1 }));
      assert.equal(r.data.consentState, 'APPROVED');
      consentOfA = r.data.consent ?? '';
      assert.ok(r.data.consents.includes(consentOfA));
      assert.match(consentOfA, /^[A-Za-z0-9+/]+=*$/, 'standard base64, as the SDK atob()s it');
      const agent = decode(consentOfA).agent;
      assert.equal(agent.apiPort, new URL(agentUrl[A] ?? '').port);
      assert.equal(agent.username, A);
      assert.equal(await surnameAt(A, `http://127.0.0.1:${String(agent.apiPort)}`), 'Alpha');
    });
    it('/v3/validate: A\'s stored consent is APPROVED for A on the same origin', async () => {
      const r = json<ConsentAnswer>(await post(A, '/v3/validate', { consents: [consentOfA] }));
      assert.equal(r.data.consentState, 'APPROVED');
      assert.equal(decode(r.data.consent ?? '').agent.apiPort, new URL(agentUrl[A] ?? '').port);
    });
    it('refused: B\'s browser with A\'s consent, another origin, a tampered string, an expired one, garbage', async () => {
      const required = async (user: string, consents: string[], origin = ORIGIN): Promise<void> => {
        const answer = await post(user, '/v3/validate', { consents }, origin);
        assert.equal(answer.status, 200, answer.body);
        const r = json<ConsentAnswer>(answer);
        assert.equal(r.data.consentState, 'REQUIRED', `${user} ${origin}`);
        assert.equal(r.data.consent, undefined);
      };
      await required(B, [consentOfA]);
      await required(A, [consentOfA], OTHER_ORIGIN);
      const tampered = decode(consentOfA);
      tampered.agent.expiresAt = Number(tampered.agent.expiresAt) + 365 * 86_400_000;
      await required(A, [Buffer.from(JSON.stringify(tampered)).toString('base64')]);
      const moved = decode(consentOfA);
      moved.agent.user = `uid:${users.user(B).uid}`;
      await required(B, [Buffer.from(JSON.stringify(moved)).toString('base64')]);
      // Signed with the Registry's own key but past its expiry.
      const signer = ConsentSigner.open(join(dir, 'registry-data'), hostname());
      const expired = signer.issue(decode(consentOfA).agent as unknown as AgentRecord, { user: `uid:${users.user(A).uid}`, origin: ORIGIN, expiresAt: Date.now() - 1000 });
      await required(A, [expired]);
      await required(A, ['not base64 at all', Buffer.from('{"agent":1}').toString('base64')]);
    });
    it('our SDK: no stored consent and no code word → consent-required; with the word on A\'s clipboard A reads A\'s card; B with it is refused', async () => {
      assert.deepEqual(await sdkRead(A), { kind: 'consent-required' });
      assert.deepEqual(await sdkRead(A, word), { url: agentUrl[A], surname: 'Alpha' });
      assert.deepEqual(await sdkRead(B, word), { kind: 'consent-required' });
    });
    it('the official SDK 3.6.1 in Chromium as A on A\'s own display: implicit consent reads A\'s card, again from the stored consent; a tampered one is refused; B\'s browser with A\'s consents is refused', async () => {
      const run = async (user: string, extra: string[]): Promise<Record<string, string>> => {
        const r = await users.run(user, [process.execPath, OFFICIAL_SDK, `${page.origin}/`, new URL(registryUrl).port, ...extra], { DISPLAY: displays[user] });
        assert.equal(r.code, 0, r.stderr);
        return JSON.parse(r.stdout) as Record<string, string>;
      };
      const a = await run(A, []);
      assert.equal(a.error, undefined, a.error);
      assert.equal(a.first, '814501', 'no consent yet: the SDK asks for one');
      assert.equal(a.copiedBy, 'page', 'the page itself put the code word on the X clipboard');
      assert.equal(a.afterConsent, 'Alpha');
      assert.equal(a.afterReload, 'Alpha');
      assert.equal(a.tampered, '814501');
      const b = await run(B, [a.stored ?? '']);
      assert.equal(b.first, '814501');
      assert.equal(b.afterReload, undefined);
    });
    it('a body that is not the SDK\'s shape is 400 106001', async () => {
      for (const body of [{}, { codeWord: 5 }, { codeWord: 'x', durationInDays: -1 }]) {
        const r = await post(A, '/v3/consent', body);
        assert.equal(r.status, 400);
        assert.equal(json<{ code: string }>(r).code, '106001');
      }
      assert.equal((await post(A, '/v3/validate', { consents: 'x' })).status, 400);
    });
  });

  describe('agent crash and restart', () => {
    it('a killed agent leaves the list; started again, it registers again and serves its user', async () => {
      const gone = waitForOutput(registry, new RegExp(`"username":"${A}","port":\\d+,"msg":"agent left"`), 'stdout');
      agents[A]?.kill('SIGKILL');
      await gone;
      assert.deepEqual(json<{ data: unknown[] }>(await users.curl(A, `${registryUrl}/v3/agents`)).data, []);
      assert.equal(json<{ data: unknown[] }>(await users.curl(B, `${registryUrl}/v3/agents`)).data.length, 1, 'B is not affected');
      await startAgent(A);
      const list = json<{ data: { apiPort: string }[] }>(await users.curl(A, `${registryUrl}/v3/agents`)).data;
      assert.equal(list.length, 1);
      assert.equal(await surnameAt(A, `http://127.0.0.1:${list[0]?.apiPort ?? ''}`), 'Alpha');
    });
  });
});

