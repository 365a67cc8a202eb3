import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { parseCookie, stringifySetCookie } from 'cookie';

const LIFETIME_MS = 8 * 60 * 60 * 1000;

/**
 * A random session per page load, in a `SameSite=Strict; HttpOnly` cookie set with the page and
 * checked by the token endpoint. The demo has no users; a real backend puts its own login session
 * here. Stateless (HMAC with a key made at start), so a flood of page loads costs no memory.
 */
export class PageSessions {
  private readonly key = randomBytes(32);
  readonly cookieName: string;

  /** The port is in the name: cookies ignore ports, and two demos on one machine must not overwrite each other's. */
  constructor(port: number, private readonly now: () => number = Date.now) {
    this.cookieName = `demo_session_${port}`;
  }

  /** A Set-Cookie value for a new session; `Secure` whenever the page is served over https. */
  issue(secure: boolean): string {
    const payload = `${this.now().toString(36)}.${randomBytes(16).toString('base64url')}`;
    return stringifySetCookie({ name: this.cookieName, value: `${payload}.${this.mac(payload)}`, path: '/', httpOnly: true, sameSite: 'strict', secure });
  }

  /** True when the request's Cookie header carries a session this process issued less than eight hours ago. */
  valid(cookieHeader: string | undefined): boolean {
    if (cookieHeader === undefined) return false;
    const value = parseCookie(cookieHeader)[this.cookieName];
    const m = value === undefined ? null : /^([0-9a-z]{1,12})\.([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{43})$/.exec(value);
    if (!m?.[1] || !m[2] || !m[3]) return false;
    const expected = Buffer.from(this.mac(`${m[1]}.${m[2]}`));
    const given = Buffer.from(m[3]);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return false;
    const age = this.now() - parseInt(m[1], 36);
    return age >= 0 && age < LIFETIME_MS;
  }

  /** Forget the key: every session it signed is void. */
  close(): void {
    this.key.fill(0);
  }

  private mac(payload: string): string {
    return createHmac('sha256', this.key).update(payload).digest('base64url');
  }
}
