import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { PcscBackend } from '@t1c/smartcard/pcsc';
import { LocalCardService } from '../src/cards/index.js';
import { SandboxError } from '../src/ipc/index.js';
import { startPcscRig, type PcscRig } from './api-helpers/rig.js';

const SELECT_IDENTITY = Uint8Array.from(Buffer.from('00A4080C063F00DF014031', 'hex'));

/** Whether another PC/SC client can take the card exclusively: false while any connection is open on it. */
async function exclusiveFree(name: string): Promise<boolean> {
  const other = new PcscBackend();
  try {
    const connection = await other.connect(name, { shareMode: 'exclusive' });
    await connection.disconnect('leave');
    return true;
  } catch {
    return false;
  } finally {
    await other.close();
  }
}

describe('remoteloading sessions in the card service, a virtual eID in a real pcscd', () => {
  let rig: PcscRig;
  let service: LocalCardService;
  let name: string;

  before(async () => {
    rig = await startPcscRig([{ appletVersion: '1.8' }]);
    service = new LocalCardService([new PcscBackend()]);
    name = rig.readerNames[0] ?? '';
    // vpcd inserts the card a moment after pcscd lists the reader.
    for (let i = 0; i < 100 && !(await service.listReaders()).some((r) => r.name === name && r.card); i++) await new Promise((resolve) => setTimeout(resolve, 50));
  });
  after(async () => {
    await service.close();
    await rig.close();
  });

  it('a session holds a shared connection that its own timer closes: the card is free again without any call', async () => {
    const { sessionId } = await service.call('remoteloading', 'openSession', name, { timeoutSeconds: 1 });
    const [selected] = (await service.call('remoteloading', 'transmit', name, { sessionId, apdus: [SELECT_IDENTITY] })).exchanges;
    assert.equal(selected?.sw, 0x9000);
    assert.equal(await exclusiveFree(name), false, 'the session holds a connection');
    // A beid read shares the card meanwhile.
    const read = await service.call('beid', 'read', name, {});
    assert.equal(read.applet, '1.8');
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    assert.equal(await exclusiveFree(name), true, 'the timer closed the connection');
    await assert.rejects(service.call('remoteloading', 'transmit', name, { sessionId, apdus: [SELECT_IDENTITY] }),
      (error: unknown) => error instanceof SandboxError && error.code === 'SESSION_UNKNOWN');
  });

  it('closing releases the connection; a second close says it was not open', async () => {
    const { sessionId } = await service.call('remoteloading', 'openSession', name, { timeoutSeconds: 60 });
    assert.equal(await exclusiveFree(name), false);
    assert.deepEqual(await service.call('remoteloading', 'closeSession', name, { sessionId }), { closed: true });
    assert.equal(await exclusiveFree(name), true);
    assert.deepEqual(await service.call('remoteloading', 'closeSession', name, { sessionId }), { closed: false });
  });

  it('bad arguments at the contract: each ARGS_INVALID before any card code runs, nothing held', async () => {
    const bad: unknown[] = [
      { apdus: [new Uint8Array(65_545)] },
      { apdus: [] },
      { apdus: Array.from({ length: 65 }, () => SELECT_IDENTITY) },
      { apdus: [Uint8Array.from([0, 0xa4, 8, 0x0c, 6, 0x3f])] },
      { apdus: [SELECT_IDENTITY], sessionId: 'not-hex' },
      { apdus: ['00A4'] },
    ];
    for (const args of bad) {
      await assert.rejects(service.dispatch({ module: 'remoteloading', op: 'transmit', reader: name, args }),
        (error: unknown) => error instanceof SandboxError && error.code === 'ARGS_INVALID', JSON.stringify(args).slice(0, 80));
    }
    await assert.rejects(service.dispatch({ module: 'remoteloading', op: 'openSession', reader: name, args: { timeoutSeconds: 0 } }),
      (error: unknown) => error instanceof SandboxError && error.code === 'ARGS_INVALID');
    await assert.rejects(service.dispatch({ module: 'remoteloading', op: 'openSession', reader: null, args: { timeoutSeconds: 5 } }),
      (error: unknown) => error instanceof SandboxError && error.code === 'READER_REQUIRED');
    assert.equal(await exclusiveFree(name), true);
  });

  it('sessions are bounded: the 33rd is refused with SESSION_LIMIT, and closing one makes room', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 32; i++) ids.push((await service.call('remoteloading', 'openSession', name, { timeoutSeconds: 60 })).sessionId);
    await assert.rejects(service.call('remoteloading', 'openSession', name, { timeoutSeconds: 60 }),
      (error: unknown) => error instanceof SandboxError && error.code === 'SESSION_LIMIT');
    for (const sessionId of ids) await service.call('remoteloading', 'closeSession', name, { sessionId });
    assert.equal(await exclusiveFree(name), true);
  });
});
