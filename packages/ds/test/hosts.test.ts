import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hostAllowed, pageRequestWithoutOrigin } from '../src/index.js';

describe('hostAllowed (DNS rebinding)', () => {
  const policy = { port: 51983, names: ['t1c.example.org'], scheme: 'https' as const };
  const table: Array<[string | undefined, boolean]> = [
    ['127.0.0.1:51983', true],
    ['localhost:51983', true],
    ['LOCALHOST:51983', true],
    ['[::1]:51983', true],
    ['t1c.example.org:51983', true],
    ['attacker.example:51983', false],
    ['127.0.0.1:51984', false],
    ['127.0.0.1', false],
    ['localhost.:51983', false],
    ['127.0.0.2:51983', false],
    ['0.0.0.0:51983', false],
    ['[::ffff:127.0.0.1]:51983', false],
    ['localhost:51983@attacker.example', false],
    ['localhost:051983x', false],
    ['localhost:99999', false],
    ['', false],
    [undefined, false],
    ['t1c.example.org.attacker.example:51983', false],
  ];
  for (const [host, allowed] of table) {
    it(`${JSON.stringify(host)} → ${allowed ? 'served' : 'refused'}`, () => assert.equal(hostAllowed(policy, host), allowed));
  }
  it('a Host without port means the scheme default', () => {
    assert.equal(hostAllowed({ port: 443, scheme: 'https' }, 'localhost'), true);
    assert.equal(hostAllowed({ port: 443 }, 'localhost'), false);
    assert.equal(hostAllowed({ port: 80, scheme: 'http' }, '127.0.0.1'), true);
  });
});

describe('pageRequestWithoutOrigin', () => {
  it('fetch metadata from a page without Origin is a page request', () => {
    for (const site of ['same-origin', 'same-site', 'cross-site']) assert.equal(pageRequestWithoutOrigin({ 'sec-fetch-site': site }), true, site);
  });
  it('no metadata, a typed URL, or an Origin header are not', () => {
    assert.equal(pageRequestWithoutOrigin({}), false);
    assert.equal(pageRequestWithoutOrigin({ 'sec-fetch-site': 'none' }), false);
    assert.equal(pageRequestWithoutOrigin({ origin: 'https://a.example', 'sec-fetch-site': 'cross-site' }), false);
  });
});
