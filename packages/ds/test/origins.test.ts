import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compareSemver, isSemver, normalizeOriginPattern, originMatches } from '../src/index.js';

describe('originMatches', () => {
  const table: Array<[string, string, boolean]> = [
    ['https://example.org', 'https://example.org', true],
    ['https://example.org', 'https://EXAMPLE.org', true],
    ['https://example.org', 'https://example.org:443', true],
    ['https://example.org', 'http://example.org', false],
    ['https://example.org', 'https://example.org:8443', false],
    ['https://example.org', 'https://a.example.org', false],
    ['https://*.example.org', 'https://a.example.org', true],
    ['https://*.example.org', 'https://a.b.example.org', true],
    ['https://*.example.org', 'https://example.org', false],
    ['https://*.example.org', 'https://evilexample.org', false],
    ['https://*.example.org', 'https://example.org.evil.com', false],
    ['https://*.example.org', 'https://a.example.org.evil.com', false],
    ['https://*.example.org', 'http://a.example.org', false],
    ['https://*.example.org', 'https://a.example.org:8443', false],
    ['https://*.example.org:8443', 'https://a.example.org:8443', true],
    ['https://*.example.org:8443', 'https://a.example.org', false],
    ['https://*.example.org', 'https://*.example.org', false],
    ['https://*.example.org', 'https://a.example.org/', false],
    ['https://*.example.org', 'null', false],
    ['http://localhost:3000', 'http://localhost:3000', true],
    ['http://localhost:3000', 'http://localhost:3001', false],
    ['http://127.0.0.1:8080', 'http://127.0.0.1:8080', true],
    ['https://*.com', 'https://evil.com', false],
    ['https://*.co.uk', 'https://evil.co.uk', false],
    ['https://*.github.io', 'https://evil.github.io', false],
    ['https://*.s3.amazonaws.com', 'https://bucket.s3.amazonaws.com', false],
    ['https://*.someone.github.io', 'https://a.someone.github.io', true],
    ['https://*.gov.be', 'https://a.gov.be', true],
    ['not a pattern', 'https://a.test', false],
  ];
  for (const [pattern, origin, expected] of table) {
    it(`${pattern} ${expected ? 'matches' : 'does not match'} ${origin}`, () => {
      assert.equal(originMatches(pattern, origin), expected);
    });
  }

  it('normalises patterns and refuses malformed ones', () => {
    assert.equal(normalizeOriginPattern('HTTPS://*.Example.ORG:443'), 'https://*.example.org');
    assert.equal(normalizeOriginPattern('http://a.test:80'), 'http://a.test');
    for (const bad of ['https://*.github.io', 'https://*.co.uk', 'https://*.s3.amazonaws.com', 'https://*.appspot.com', 'https://a.test/', 'https://*.*.a.test', 'https://a*.test', '*.a.test', 'https://a_b.test', 'https://a.test:0', 'wss://a.test']) {
      assert.equal(normalizeOriginPattern(bad), null, bad);
    }
  });
});

describe('semver', () => {
  it('validates and orders versions by precedence', () => {
    for (const v of ['1.0.0', '3.8.12', '1.0.0-rc.1', '1.0.0+build.5']) assert.ok(isSemver(v), v);
    for (const v of ['1.0', '01.0.0', 'v1.0.0', '1.0.0-', '1.0.0-01']) assert.ok(!isSemver(v), v);
    const sorted = ['1.0.0', '1.0.0-alpha', '1.0.0-alpha.1', '1.0.0-beta', '1.0.0-alpha.beta', '1.0.0-rc.1', '1.0.0-beta.11', '1.0.0-beta.2', '2.0.0', '1.10.0', '1.2.0']
      .sort(compareSemver);
    assert.deepEqual(sorted, ['1.0.0-alpha', '1.0.0-alpha.1', '1.0.0-alpha.beta', '1.0.0-beta', '1.0.0-beta.2', '1.0.0-beta.11', '1.0.0-rc.1', '1.0.0', '1.2.0', '1.10.0', '2.0.0']);
  });
});
