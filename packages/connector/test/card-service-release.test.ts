import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { VirtualReaderBackend, type CardConnection, type ReaderBackend } from '@t1c/smartcard/reader';
import { BeidVirtualCard } from '@t1c/emulator';
import { LocalCardService } from '../src/cards/index.js';

// Unit test on the in-process virtual reader: the order of answer, disconnect and next connect.
// Through pcscd, every API and sandbox test runs the same path.

/** Once `hold` is called, logs connects and disconnects and holds every disconnect until `letGo`. */
function slowToLetGo(inner: ReaderBackend, log: string[]): { backend: ReaderBackend; hold: () => void; letGo: () => void } {
  let waiting: (() => void)[] = [];
  let holding = false;
  const backend: ReaderBackend = new Proxy(inner, {
    get(target, property, receiver) {
      if (property !== 'connect') {
        const value: unknown = Reflect.get(target, property, receiver);
        return typeof value === 'function' ? value.bind(target) : value;
      }
      return async (...args: Parameters<ReaderBackend['connect']>): Promise<CardConnection> => {
        const connection = await target.connect(...args);
        if (!holding) return connection;
        log.push('connect');
        return new Proxy(connection, {
          get(c, p, r) {
            const value: unknown = Reflect.get(c, p, r);
            if (p === 'disconnect') {
              return async (...d: Parameters<CardConnection['disconnect']>) => {
                await new Promise<void>((resolve) => waiting.push(resolve));
                log.push('disconnected');
                return connection.disconnect(...d);
              };
            }
            return typeof value === 'function' ? value.bind(c) : value;
          },
        });
      };
    },
  });
  return { backend, hold: () => void (holding = true), letGo: () => { const all = waiting; waiting = []; for (const resolve of all) resolve(); } };
}

/** A card service over one virtual eID 1.8 whose disconnects are held once `hold` ran (after listing). */
async function heldService(log: string[]): Promise<{ service: LocalCardService; readerId: string; letGo: () => void }> {
  const virtual = new VirtualReaderBackend();
  virtual.addReader('R', await BeidVirtualCard.create({ appletVersion: '1.8' }));
  const { backend, hold, letGo } = slowToLetGo(virtual, log);
  const service = new LocalCardService([backend]);
  const [reader] = await service.listReaders();
  assert.ok(reader);
  hold();
  return { service, readerId: reader.id, letGo };
}

describe('card service: answer, then let go of the card', () => {
  it('an op answers before its disconnect ends; the next op on the reader connects only after it', async () => {
    const log: string[] = [];
    const { service, readerId, letGo } = await heldService(log);
    try {
      // Before this change the answer waited for the disconnect, which waits for letGo: never.
      let guard: NodeJS.Timeout | undefined;
      const first = await Promise.race([
        service.call('beid', 'read', readerId, {}),
        new Promise<never>((_resolve, reject) => (guard = setTimeout(() => reject(new Error('the answer waited for the disconnect')), 5000))),
      ]).finally(() => clearTimeout(guard));
      log.push('answered');
      assert.equal(first.applet, '1.8');
      const second = service.call('beid', 'read', readerId, {});
      await new Promise((resolve) => setTimeout(resolve, 20));
      assert.deepEqual(log, ['connect', 'answered'], 'the second op waits for the first one\'s disconnect');
      letGo();
      await new Promise((resolve) => setTimeout(resolve, 20));
      letGo();
      await second;
      assert.deepEqual(log, ['connect', 'answered', 'disconnected', 'connect', 'disconnected']);
    } finally {
      letGo();
      await service.close();
    }
  });

  it('an op that fails lets go of the card before it rejects', async () => {
    const log: string[] = [];
    const { service, readerId, letGo } = await heldService(log);
    try {
      // A wrong PIN fails on the card, after connecting.
      const failing = service.call('beid', 'verifyPin', readerId, { pin: { kind: 'digits', pin: new TextEncoder().encode('9999') } }).then(() => 'resolved', () => 'rejected');
      await new Promise((resolve) => setTimeout(resolve, 20));
      assert.deepEqual(log, ['connect'], 'not settled while the card is still held');
      letGo();
      assert.equal(await failing, 'rejected');
      assert.deepEqual(log, ['connect', 'disconnected']);
    } finally {
      letGo();
      await service.close();
    }
  });
});
