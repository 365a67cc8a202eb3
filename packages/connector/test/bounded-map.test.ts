import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BoundedMap } from '../src/bounded-map.js';

describe('BoundedMap (unit)', () => {
  it('holds at most max entries; one more drops the one set longest ago', () => {
    const map = new BoundedMap<string, number>(2);
    map.set('a', 1);
    map.set('b', 2);
    map.set('c', 3);
    assert.equal(map.size, 2);
    assert.equal(map.get('a'), undefined);
    assert.equal(map.get('b'), 2);
    assert.equal(map.get('c'), 3);
  });

  it('setting a key again makes it the newest, so the other one goes first', () => {
    const map = new BoundedMap<string, number>(2);
    map.set('a', 1);
    map.set('b', 2);
    map.set('a', 10);
    map.set('c', 3);
    assert.equal(map.get('a'), 10);
    assert.equal(map.get('b'), undefined);
    assert.equal(map.size, 2);
  });

  it('delete frees a place; a bound below one is refused', () => {
    const map = new BoundedMap<string, number>(1);
    map.set('a', 1);
    map.delete('a');
    assert.equal(map.size, 0);
    for (const max of [0, -1, 1.5, Number.NaN]) assert.throws(() => new BoundedMap(max), RangeError);
  });
});
