import assert from 'node:assert/strict';
import { test } from 'node:test';
import { connect, T1cError, type CardReader } from '../src/index.js';
import { BASE, fakeConnector, jsonResponse, signed } from './helpers.js';

const EMPTY: CardReader = { id: 'r0', name: 'Empty', pinpad: false };
const EMV: CardReader = { id: 'r1', name: 'Bank card', pinpad: false, card: { atr: '3B00', description: [], modules: ['emv'] } };
const BEID: CardReader = { id: 'r2', name: 'eID', pinpad: true, card: { atr: '3B98', description: ['Belgium Electronic ID card'], module: ['beid'] } };

/** The connector's answers to the successive polls. */
async function polling(answers: (() => Promise<ReturnType<typeof jsonResponse>>)[]) {
  let poll = 0;
  const connector = await fakeConnector({
    '/v3/readers': (call) => {
      assert.equal(call.url.search, '?cardInserted=true');
      const answer = answers[Math.min(poll++, answers.length - 1)];
      assert.ok(answer);
      return answer();
    },
  });
  return { ...connector, polls: () => poll };
}

test('waitForCard polls until a matching card is inserted', async () => {
  const { fetch, polls } = await polling([() => signed([]), () => signed([EMV]), () => signed([EMV, BEID])]);
  const client = await connect({ fetch, candidates: [BASE] });
  const reader = await client.waitForCard({ module: 'beid', pollMs: 1, maxPollMs: 2 });
  assert.equal(reader.id, 'r2');
  assert.equal(polls(), 3);
});

test('waitForCard without a filter takes the first reader with a card', async () => {
  const { fetch } = await polling([() => signed([EMPTY, EMV, BEID])]);
  const reader = await (await connect({ fetch, candidates: [BASE] })).waitForCard({ pollMs: 1 });
  assert.equal(reader.id, 'r1');
});

test('waitForCard keeps polling through a restarting card service', async () => {
  const { fetch } = await polling([
    () => Promise.resolve(jsonResponse(503, { success: false, code: '112002', description: 'restarting' })),
    () => signed([BEID]),
  ]);
  const reader = await (await connect({ fetch, candidates: [BASE] })).waitForCard({ readerId: 'r2', pollMs: 1 });
  assert.equal(reader.id, 'r2');
});

test('waitForCard stops with aborted when the signal fires', async () => {
  const { fetch, polls } = await polling([() => signed([])]);
  const client = await connect({ fetch, candidates: [BASE] });
  const controller = new AbortController();
  const waiting = client.waitForCard({ signal: controller.signal, pollMs: 1, maxPollMs: 1 });
  while (polls() < 3) await new Promise((resolve) => setImmediate(resolve));
  controller.abort(new Error('user closed the dialog'));
  await assert.rejects(waiting, (e: unknown) => e instanceof T1cError && e.kind === 'aborted' && e.code === '901004');
});

test('waitForCard with an already aborted signal sends nothing', async () => {
  const { fetch, polls } = await polling([() => signed([BEID])]);
  const client = await connect({ fetch, candidates: [BASE] });
  await assert.rejects(client.waitForCard({ signal: AbortSignal.abort() }), (e: unknown) => e instanceof T1cError && e.kind === 'aborted');
  assert.equal(polls(), 0);
});

test('waitForCard gives up with timeout after timeoutMs', async () => {
  const { fetch } = await polling([() => signed([])]);
  const client = await connect({ fetch, candidates: [BASE] });
  await assert.rejects(client.waitForCard({ timeoutMs: 15, pollMs: 1 }), (e: unknown) => e instanceof T1cError && e.kind === 'timeout');
});

test('waitForCard passes on a hard error at once', async () => {
  const { fetch } = await polling([() => Promise.resolve(jsonResponse(403, { success: false, code: '104001', description: 'origin' }))]);
  const client = await connect({ fetch, candidates: [BASE] });
  await assert.rejects(client.waitForCard({ pollMs: 1 }), (e: unknown) => e instanceof T1cError && e.kind === 'origin-not-allowed');
});
