import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { writePrivateFile } from '../security/private-file.js';
import type { AgentRecord } from './agent-table.js';

/** What a consent binds: one OS user's agent, one page origin, until a time. */
export interface ConsentBinding {
  readonly user: string;
  readonly origin: string;
  readonly expiresAt: number;
}

const consentJson = z.object({
  agent: z.object({
    username: z.string(),
    apiPort: z.string(),
    hostname: z.string(),
    user: z.string(),
    origin: z.string(),
    expiresAt: z.number().int(),
  }).loose(),
  signedHash: z.string().regex(/^[A-Za-z0-9+/]+=*$/),
});

const KEY_FILE = 'consent-key';

/**
 * Consent strings in the shape the official SDK stores (t1c-api.md §1.7a: standard base64 of
 * `{agent, signedHash}`). The SDK only reads `agent.apiPort`; `signedHash` is our HMAC over
 * the binding (user, origin, expiry, host), so a string edited in localStorage, moved to
 * another origin or kept past its expiry does not verify. The port is not signed: it moves
 * when an agent restarts, and validation answers with the current one.
 */
export class ConsentSigner {
  private constructor(private readonly key: Buffer, private readonly hostname: string) {}

  /** A key kept in `dataDir` (0600) so consents survive a Registry restart; in memory without one. */
  static open(dataDir: string | undefined, hostname: string): ConsentSigner {
    if (dataDir === undefined) return new ConsentSigner(randomBytes(32), hostname);
    const path = join(dataDir, KEY_FILE);
    if (!existsSync(path)) writePrivateFile(path, randomBytes(32).toString('base64'));
    const key = Buffer.from(readFileSync(path, 'utf8').trim(), 'base64');
    if (key.length !== 32) throw new Error(`${path}: not a consent key (32 bytes, base64)`);
    return new ConsentSigner(key, hostname);
  }

  private mac(binding: ConsentBinding): Buffer {
    return createHmac('sha256', this.key).update(JSON.stringify(['t1c-consent-v1', binding.user, binding.origin, binding.expiresAt, this.hostname])).digest();
  }

  issue(agent: AgentRecord, binding: ConsentBinding): string {
    const body = {
      agent: { ...agent, user: binding.user, origin: binding.origin, expiresAt: binding.expiresAt },
      signedHash: this.mac(binding).toString('base64'),
    };
    return Buffer.from(JSON.stringify(body), 'utf8').toString('base64');
  }

  /** The binding of a consent string that verifies and has not expired; undefined otherwise. */
  open(consent: string, now: number): ConsentBinding | undefined {
    let parsed: z.infer<typeof consentJson>;
    try {
      const result = consentJson.safeParse(JSON.parse(Buffer.from(consent, 'base64').toString('utf8')));
      if (!result.success) return undefined;
      parsed = result.data;
    } catch {
      return undefined;
    }
    const binding = { user: parsed.agent.user, origin: parsed.agent.origin, expiresAt: parsed.agent.expiresAt };
    if (parsed.agent.hostname !== this.hostname) return undefined;
    const expected = this.mac(binding);
    const given = Buffer.from(parsed.signedHash, 'base64');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    return binding.expiresAt > now ? binding : undefined;
  }
}
