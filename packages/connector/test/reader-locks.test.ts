import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SmartCardError } from '@t1c/smartcard/errors';
import { ReaderLocks } from '../src/cards/reader-locks.js';

describe('per-reader lock of the card service (unit)', () => {
  it('runs ops on one reader one after the other, in arrival order; other readers do not wait', async () => {
    const locks = new ReaderLocks();
    const order: string[] = [];
    let open = (): void => undefined;
    const gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    const first = locks.run('A', async () => {
      order.push('a1 start');
      await gate;
      order.push('a1 end');
    });
    const second = locks.run('A', async () => {
      order.push('a2');
    });
    await locks.run('B', async () => {
      order.push('b');
    });
    open();
    await Promise.all([first, second]);
    assert.deepEqual(order, ['a1 start', 'b', 'a1 end', 'a2']);
  });

  it('a waiter past its limit gets PCSC_SHARING_VIOLATION (reader busy); the queue behind it still runs once the reader is free', async () => {
    const locks = new ReaderLocks(20);
    let open = (): void => undefined;
    const gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    const holder = locks.run('A', () => gate);
    await assert.rejects(locks.run('A', async () => 'never'), (error: unknown) => error instanceof SmartCardError && error.code === 'PCSC_SHARING_VIOLATION');
    open();
    await holder;
    assert.equal(await locks.run('A', async () => 'next'), 'next');
  });
});
