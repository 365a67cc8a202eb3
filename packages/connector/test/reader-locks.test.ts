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

  it('runUntil hands the value back at once but holds the reader until `released` settles, even when it rejects', async () => {
    const locks = new ReaderLocks();
    const order: string[] = [];
    let letGo = (): void => undefined;
    const released = new Promise<void>((_resolve, reject) => {
      letGo = () => reject(new Error('disconnect failed'));
    });
    const value = await locks.runUntil('A', async () => ({ value: 'answer', released }));
    order.push(`got ${value}`);
    const next = locks.run('A', async () => void order.push('next op'));
    await new Promise((resolve) => setImmediate(resolve));
    order.push('released');
    letGo();
    await next;
    assert.deepEqual(order, ['got answer', 'released', 'next op']);
  });

  it('runUntil: a failing op frees the reader at once', async () => {
    const locks = new ReaderLocks();
    await assert.rejects(locks.runUntil('A', async () => {
      throw new Error('card gone');
    }), /card gone/);
    assert.equal(await locks.run('A', async () => 'next'), 'next');
  });
});
