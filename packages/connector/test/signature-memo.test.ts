import assert from 'node:assert/strict';
import { createPublicKey, verify } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { DeviceKey } from '../src/security/device-key.js';
import { SignatureMemo } from '../src/security/signature-memo.js';

describe('response signatures are memoised by the signed text\'s digest', () => {
  it('the same text is signed once; another text, even one character apart, is signed anew', () => {
    const signed: string[] = [];
    const memo = new SignatureMemo((text) => {
      signed.push(text);
      return `sig(${text})`;
    });
    assert.equal(memo.of('[1]'), 'sig([1])');
    assert.equal(memo.of('[1]'), 'sig([1])');
    assert.equal(memo.of('[2]'), 'sig([2])');
    assert.deepEqual(signed, ['[1]', '[2]']);
  });

  it('at most `max` signatures are kept, the oldest dropped first', () => {
    const signed: string[] = [];
    const memo = new SignatureMemo((text) => {
      signed.push(text);
      return text;
    }, 2);
    for (const text of ['a', 'b', 'c', 'c', 'b', 'a']) memo.of(text);
    assert.deepEqual(signed, ['a', 'b', 'c', 'a']);
  });

  it('a memoised device-key signature is the one RSA gives and verifies for its text only', () => {
    const dir = mkdtempSync(join(tmpdir(), 't1c-sigmemo-'));
    try {
      const key = DeviceKey.loadOrCreate(dir);
      const pub = createPublicKey(key.publicKeyPem);
      const first = key.sign('{"a":1}');
      assert.equal(key.sign('{"a":1}'), first);
      assert.ok(verify('sha256', Buffer.from('{"a":1}'), pub, Buffer.from(first, 'base64')));
      const other = key.sign('{"a":2}');
      assert.notEqual(other, first);
      assert.ok(!verify('sha256', Buffer.from('{"a":2}'), pub, Buffer.from(first, 'base64')));
      assert.ok(verify('sha256', Buffer.from('{"a":2}'), pub, Buffer.from(other, 'base64')));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
