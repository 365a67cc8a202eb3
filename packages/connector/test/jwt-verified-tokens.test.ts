import assert from 'node:assert/strict';
import { createPublicKey } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createLocalJWKSet, exportJWK, type JWTVerifyGetKey } from 'jose';
import { MAX_TOKEN_LIFETIME_S } from '@t1c/ds/client';
import { JwtVerifier, type SyncedKeys } from '../src/security/jwt.js';
import { VerifiedTokens } from '../src/security/verified-tokens.js';
import { AUDIENCE, ISSUER, testIssuer, type TestIssuer } from './api-helpers/jwt.js';

const refused = async (verifier: JwtVerifier, token: string, origin?: string): Promise<void> => {
  await assert.rejects(verifier.verify(`Bearer ${token}`, origin), (e: { key?: string }) => e.key === 'JWT_INVALID');
};

/** Synced DS keys whose key lookup counts how often a signature is checked. */
async function countingKeys(issuer: TestIssuer): Promise<{ synced: SyncedKeys; checks: () => number }> {
  const jwk = { ...(await exportJWK(createPublicKey(issuer.privateKey))), kid: 't1cds', alg: 'RS256' };
  const local = createLocalJWKSet({ keys: [jwk] });
  let checks = 0;
  const keys: JWTVerifyGetKey = (header, token) => {
    checks++;
    return local(header, token);
  };
  return { synced: { keys, issuer: ISSUER, audience: AUDIENCE }, checks: () => checks };
}

describe('a verified token is reused, never beyond its source, its lifetime or its origins', () => {
  let dir: string;
  let issuer: TestIssuer;
  let other: TestIssuer;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 't1c-jwt-cache-'));
    issuer = testIssuer(join(dir));
    other = testIssuer(mkdtempSync(join(dir, 'other-')));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('the same token on every request: its signature is checked once', async () => {
    const keys = await countingKeys(issuer);
    const verifier = await JwtVerifier.create({ synced: () => keys.synced });
    const token = await issuer.token();
    for (let i = 0; i < 5; i++) assert.equal((await verifier.verify(`Bearer ${token}`, undefined)).sub, 'development');
    assert.equal(keys.checks(), 1);
  });

  it('keys rotated by a DS sync: a token of the old key is refused at once, though it verified a moment ago', async () => {
    const before = await countingKeys(issuer);
    const rotated = await countingKeys(other);
    let current = before.synced;
    const verifier = await JwtVerifier.create({ synced: () => current });
    const token = await issuer.token();
    await verifier.verify(`Bearer ${token}`, undefined);
    current = rotated.synced;
    await refused(verifier, token);
    assert.equal(rotated.checks(), 1, 'checked against the new keys');
  });

  it('with DS keys and a key file both set, a token of the key file is reused too', async () => {
    const keys = await countingKeys(other);
    const verifier = await JwtVerifier.create({ synced: () => keys.synced, publicKeyFile: issuer.publicKeyFile, issuer: ISSUER, audience: AUDIENCE });
    const token = await issuer.token();
    for (let i = 0; i < 3; i++) await verifier.verify(`Bearer ${token}`, undefined);
    assert.equal(keys.checks(), 1, 'the DS keys were tried once, then the reused verdict answered');
  });

  it('the origins claim is checked on every request, reused or not', async () => {
    const keys = await countingKeys(issuer);
    const verifier = await JwtVerifier.create({ synced: () => keys.synced });
    const token = await issuer.token({ origins: ['https://app.example.org'] });
    await verifier.verify(`Bearer ${token}`, 'https://app.example.org');
    await refused(verifier, token, 'https://evil.example.com');
    await verifier.verify(`Bearer ${token}`, 'https://app.example.org');
    assert.equal(keys.checks(), 1);
  });

  it('a refused token is never kept: each attempt is checked again', async () => {
    const keys = await countingKeys(issuer);
    const verifier = await JwtVerifier.create({ synced: () => keys.synced });
    const forged = await issuer.token({}, { key: other.privateKey });
    await refused(verifier, forged);
    await refused(verifier, forged);
    assert.equal(keys.checks(), 2);
  });

  it('a token with one character changed is another token: checked, and refused', async () => {
    const keys = await countingKeys(issuer);
    const verifier = await JwtVerifier.create({ synced: () => keys.synced });
    const token = await issuer.token();
    await verifier.verify(`Bearer ${token}`, undefined);
    // The first character of the signature: six bits of its first byte (the last one may be padding bits).
    const at = token.lastIndexOf('.') + 1;
    const changed = `${token.slice(0, at)}${token[at] === 'A' ? 'B' : 'A'}${token.slice(at + 1)}`;
    await refused(verifier, changed);
    assert.equal(keys.checks(), 2);
  });
});

describe('VerifiedTokens: the bounds of reuse', () => {
  const source = {};
  const at = (s: number): number => s * 1000;

  it('an entry ends at the token\'s exp', () => {
    let now = at(1000);
    const kept = new VerifiedTokens({ now: () => now });
    kept.remember('t', { iat: 990, exp: 1010 }, source);
    now = at(1009);
    assert.ok(kept.get('t', [source]));
    now = at(1010);
    assert.equal(kept.get('t', [source]), undefined);
  });

  it('an entry ends at iat + the longest token lifetime, even with a later exp', () => {
    let now = at(1000);
    const kept = new VerifiedTokens({ now: () => now, maxReuseMs: Number.MAX_SAFE_INTEGER });
    kept.remember('t', { iat: 999, exp: 999 + 10 * MAX_TOKEN_LIFETIME_S }, source);
    now = at(999 + MAX_TOKEN_LIFETIME_S);
    assert.equal(kept.get('t', [source]), undefined);
  });

  it('an entry ends after the reuse bound, however long the token lives', () => {
    let now = at(1000);
    const kept = new VerifiedTokens({ now: () => now, maxReuseMs: 5000 });
    kept.remember('t', { iat: 1000, exp: 1600 }, source);
    now = at(1005);
    assert.equal(kept.get('t', [source]), undefined);
  });

  it('an entry counts only for the key source that verified it', () => {
    const kept = new VerifiedTokens({ now: () => at(1000) });
    kept.remember('t', { iat: 1000, exp: 1600 }, source);
    assert.equal(kept.get('t', [{}]), undefined);
    assert.equal(kept.get('t', [source]), undefined, 'dropped once its source is not current');
  });

  it('a token without exp or iat, or already expired, is not kept', () => {
    const kept = new VerifiedTokens({ now: () => at(1000) });
    kept.remember('a', { iat: 1000 }, source);
    kept.remember('b', { exp: 1600 }, source);
    kept.remember('c', { iat: 900, exp: 1000 }, source);
    for (const t of ['a', 'b', 'c']) assert.equal(kept.get(t, [source]), undefined);
  });

  it('at most `max` tokens are kept, the oldest dropped first', () => {
    const kept = new VerifiedTokens({ now: () => at(1000), max: 2 });
    for (const t of ['a', 'b', 'c']) kept.remember(t, { iat: 1000, exp: 1600 }, source);
    assert.equal(kept.get('a', [source]), undefined);
    assert.ok(kept.get('b', [source]));
    assert.ok(kept.get('c', [source]));
  });
});
