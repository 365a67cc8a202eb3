import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { beidPath, ORIGIN, PIN, startFixture, type Fixture } from './api-helpers/fixture.js';
import { client, errorCode, verifiedData, type Answer } from './api-helpers/http.js';

const IDENTITY_PATH = '3F00DF014031';
const SELECT_IDENTITY = `00A4080C06${IDENTITY_PATH}`;
const readBinary = (offset: number): string => `00B0${offset.toString(16).padStart(4, '0')}00`.toUpperCase();

interface Command { sw: string; tx: string; rx?: string }

describe('remoteloading over HTTP, a virtual eID in a real pcscd', () => {
  let f: Fixture;
  let rid: string;
  let other: string;

  before(async () => {
    f = await startFixture([{ appletVersion: '1.8', pin: PIN }, { appletVersion: '1.7', pin: PIN }]);
    rid = await f.readerId(0);
    other = await f.readerId(1);
  });
  after(async () => {
    await f.close();
  });

  const path = (reader: string, op: string): string => `/v3/modules/remoteloading/apps/hsm/readers/${reader}/${op}`;
  const post = (op: string, body: object, reader = rid, c = f.c): Promise<Answer> => c.call('POST', path(reader, op), { body });
  const data = <T>(answer: Answer): T => verifiedData(answer, f.api.deviceKeyPem) as T;
  const open = async (timeout = 30, reader = rid): Promise<string> => data<string>(await post('open-session', { timeout }, reader));
  /** The identity file as READ BINARY gives it, 256 bytes at a time, on this session. */
  const readIdentity = async (sessionId: string | undefined, reader = rid): Promise<Buffer> => {
    const [selected] = data<Command[]>(await post('commands', { commands: [SELECT_IDENTITY], ...(sessionId ? { sessionId } : {}) }, reader));
    assert.equal(selected?.sw, '9000');
    const parts: Buffer[] = [];
    for (let offset = 0; ; ) {
      const answer = data<Command>(await post('command', { command: readBinary(offset), ...(sessionId ? { sessionId } : {}) }, reader));
      if (answer.sw !== '9000') break;
      const chunk = Buffer.from(answer.rx ?? '', 'hex');
      parts.push(chunk);
      offset += chunk.length;
      if (chunk.length < 256) break;
    }
    return Buffer.concat(parts);
  };
  const beidStillReads = async (reader = rid): Promise<void> => {
    const answer = await f.c.call('GET', beidPath(reader, 'biometric'));
    assert.equal(answer.status, 200, answer.text);
  };
  const identityFile = (index: number): Buffer => Buffer.from(f.rig.cards[index]?.file(IDENTITY_PATH) ?? new Uint8Array(0));

  it('opens a session, SELECTs and READs BINARY the identity file (the virtual card\'s own bytes), atr, card-present, closes', async () => {
    const sessionId = await open();
    assert.match(sessionId, /^[0-9a-f]{32}$/);
    const identity = await readIdentity(sessionId);
    assert.ok(identity.length > 100);
    assert.deepEqual(identity, identityFile(0));

    const atr = data<string>(await post('atr', { sessionId }));
    assert.equal(atr, Buffer.from(f.rig.cards[0]?.atr ?? []).toString('hex').toUpperCase());
    assert.equal(data<boolean>(await post('card-present', { sessionId })), true);

    const [select, read] = data<Command[]>(await post('apdus', {
      sessionId,
      apdus: [{ cla: '00', ins: 'A4', p1: '08', p2: '0C', data: IDENTITY_PATH }, { cla: '00', ins: 'B0', p1: '00', p2: '00', le: '10' }],
    }));
    assert.equal(select?.sw, '9000');
    assert.equal(select?.tx, SELECT_IDENTITY);
    assert.equal(read?.rx, identityFile(0).subarray(0, 16).toString('hex').toUpperCase());
    const one = data<Command>(await post('apdu', { sessionId, apdu: { cla: '00', ins: 'B0', p1: '00', p2: '10', le: '08' } }));
    assert.equal(one.rx, identityFile(0).subarray(16, 24).toString('hex').toUpperCase());

    assert.equal(data<string>(await post('close-session', { sessionId })), sessionId);
    const again = await post('command', { command: readBinary(0), sessionId });
    assert.equal(again.status, 410);
    assert.equal(errorCode(again), '107002');
    await beidStillReads();
  });

  it('without a session each call gets a connection of its own', async () => {
    assert.deepEqual(await readIdentity(undefined), identityFile(0));
    assert.equal(data<boolean>(await post('card-present', {})), true);
    assert.equal(data<string>(await post('atr', {}, other)), Buffer.from(f.rig.cards[1]?.atr ?? []).toString('hex').toUpperCase());
  });

  it('the reader is shared: a beid read while a session is idle works, and the session goes on after it', async () => {
    const sessionId = await open();
    const [selected] = data<Command[]>(await post('commands', { sessionId, commands: [SELECT_IDENTITY] }));
    assert.equal(selected?.sw, '9000');
    await beidStillReads();
    // The beid read selected other files: a session selects again in the batch it reads in.
    assert.deepEqual(await readIdentity(sessionId), identityFile(0));
    await post('close-session', { sessionId });
  });

  it('a session belongs to the application that opened it: another JWT gets 104035, the owner keeps it', async () => {
    const sessionId = await open();
    const intruder = client(f.base, f.api.caCertPem, { authorization: `Bearer ${await f.issuer.token({}, { subject: 'another-application' })}`, origin: ORIGIN });
    try {
      for (const [op, body] of [['command', { command: SELECT_IDENTITY, sessionId }], ['close-session', { sessionId }], ['atr', { sessionId }]] as const) {
        const refused = await post(op, body, rid, intruder);
        assert.equal(refused.status, 403, op);
        assert.equal(errorCode(refused), '104035', op);
      }
    } finally {
      intruder.close();
    }
    assert.deepEqual(await readIdentity(sessionId), identityFile(0));
    await post('close-session', { sessionId });
  });

  it('bad inputs: each a clear T1C error, and the reader stays free', async () => {
    const sessionId = await open();
    const cases: [string, object, number, string][] = [
      ['command', { command: '00A4XX', sessionId }, 400, '106008'],
      ['command', { command: '00A408', sessionId }, 400, '106008'],
      ['command', { command: '00A4080C063F00', sessionId }, 400, '106008'],
      ['command', { command: `00D6000000FF${'00'.repeat(300)}`, sessionId }, 400, '106009'],
      ['command', { command: `00D60000${'AB'.repeat(300)}`, sessionId }, 400, '106009'],
      ['commands', { commands: [SELECT_IDENTITY, 'zz'], sessionId }, 400, '106008'],
      ['apdu', { apdu: { cla: '0', ins: 'B0', p1: '00', p2: '00' }, sessionId }, 400, '106008'],
      ['apdu', { apdu: { cla: '00', ins: 'B0', p1: '00', p2: '00', le: '123' }, sessionId }, 400, '106008'],
      ['command', { command: readBinary(0), sessionId: 'f'.repeat(32) }, 400, '107001'],
      ['command', { command: readBinary(0), sessionId: 'not-a-session' }, 400, '107001'],
      ['atr', { sessionId: '0'.repeat(32) }, 400, '107001'],
      ['open-session', { timeout: 99_999 }, 400, '106001'],
      ['open-session', { timeout: -1 }, 400, '106001'],
      ['ccid', { feature: 'EJECT', command: '', sessionId }, 400, '106001'],
      ['commands', { commands: [], sessionId }, 400, '106001'],
    ];
    for (const [op, body, status, code] of cases) {
      const answer = await post(op, body);
      assert.equal(answer.status, status, `${op} ${JSON.stringify(body).slice(0, 60)}: ${answer.text}`);
      assert.equal(errorCode(answer), code, `${op} ${JSON.stringify(body).slice(0, 60)}`);
    }
    // The session was opened on reader 0: naming reader 1 is refused.
    const wrongReader = await post('command', { command: readBinary(0), sessionId }, other);
    assert.equal(errorCode(wrongReader), '107003');
    // The vpcd reader has no pinpad: a clear "not supported", not a hang.
    const ccid = await post('ccid', { feature: 'VERIFY_PIN_DIRECT', command: '00', sessionId });
    assert.equal(errorCode(ccid), '701006', ccid.text);
    assert.equal(data<string>(await post('ccid-features', { sessionId })), '');
    // Nothing left locked: the session still works, and so does a beid read on both readers.
    assert.deepEqual(await readIdentity(sessionId), identityFile(0));
    await beidStillReads(rid);
    await beidStillReads(other);
    await post('close-session', { sessionId });
  });

  it('a session left open is closed at its timeout, and the card is free afterwards', async () => {
    const sessionId = await open(1);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const late = await post('command', { command: readBinary(0), sessionId });
    assert.equal(errorCode(late), '107002');
    await beidStillReads();
  });

  it('a sandbox restart ends every session: the next call says closed (107002), a new session works', async () => {
    const sessionId = await open();
    const pid = f.api.sandboxPid();
    assert.ok(pid);
    process.kill(pid, 'SIGKILL');
    // The next listing starts a new sandbox (api-sandbox-kill.test.ts).
    let listed = await f.c.call('GET', '/v3/readers');
    for (let i = 0; i < 50 && listed.status !== 200; i++) listed = await f.c.call('GET', '/v3/readers');
    assert.equal(listed.status, 200, listed.text);
    assert.notEqual(f.api.sandboxPid(), pid);
    for (let i = 0; i < 2; i++) {
      const gone = await post('command', { command: readBinary(0), sessionId });
      assert.equal(errorCode(gone), '107002', gone.text);
    }
    const fresh = await open();
    assert.deepEqual(await readIdentity(fresh), identityFile(0));
    await post('close-session', { sessionId: fresh });
  });

  it('the card taken out ends its session: a clear card error, then 107002; the reader works with the next card', async () => {
    const sessionId = await open(30, other);
    await f.rig.eject(1);
    let present = true;
    for (let i = 0; i < 100 && present; i++) {
      present = data<boolean>(await post('card-present', {}, other));
      if (present) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    assert.equal(present, false);
    const failed = await post('command', { command: SELECT_IDENTITY, sessionId }, other);
    assert.ok(['702001', '702002'].includes(errorCode(failed) ?? ''), failed.text);
    const after = await post('command', { command: SELECT_IDENTITY, sessionId }, other);
    assert.equal(errorCode(after), '107002', after.text);
    await f.rig.replace(1, { appletVersion: '1.7', pin: PIN });
    let back = false;
    for (let i = 0; i < 100 && !back; i++) {
      back = data<boolean>(await post('card-present', {}, other));
      if (!back) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    assert.equal(back, true);
    const next = await open(30, other);
    assert.deepEqual(await readIdentity(next, other), identityFile(1));
    await post('close-session', { sessionId: next }, other);
  });
});
