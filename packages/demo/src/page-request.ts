import { pageRequestWithoutOrigin } from '@t1c/ds';
import { PAGE_HEADER } from './page/page-header.js';
import { DemoRefusal } from './refusal.js';

type Headers = Readonly<Record<string, string | string[] | undefined>>;

const one = (value: string | string[] | undefined): string | undefined => (Array.isArray(value) ? undefined : value);

/**
 * Accepts only a fetch() made by a page of this very origin: Origin equal to ours, browser fetch
 * metadata (when the browser sends it) saying same-origin, and the page's custom header.
 * Curl, servers and pages of other origins are refused: the token is for our page.
 */
export function checkOwnPageRequest(headers: Headers, ownOrigin: string): void {
  const origin = one(headers.origin);
  if (origin === undefined) {
    throw new DemoRefusal(403, pageRequestWithoutOrigin({ origin, 'sec-fetch-site': headers['sec-fetch-site'] })
      ? 'this endpoint answers only fetch() calls of the demo page itself (the request has no Origin)'
      : 'this endpoint answers only the demo page in a browser, not other programs (no Origin)');
  }
  if (origin !== ownOrigin) throw new DemoRefusal(403, `this endpoint answers only the demo page at ${ownOrigin}, not pages of other origins`);
  const site = one(headers['sec-fetch-site']);
  const mode = one(headers['sec-fetch-mode']);
  const dest = one(headers['sec-fetch-dest']);
  // Browsers send fetch metadata only to trustworthy origins (https, loopback); when present it must agree.
  if (site !== undefined && site !== 'same-origin') throw new DemoRefusal(403, 'this endpoint answers only same-origin requests (Sec-Fetch-Site)');
  if (mode !== undefined && mode !== 'cors' && mode !== 'same-origin') throw new DemoRefusal(403, 'this endpoint answers only fetch() calls (Sec-Fetch-Mode)');
  if (dest !== undefined && dest !== 'empty') throw new DemoRefusal(403, 'this endpoint answers only fetch() calls (Sec-Fetch-Dest)');
  if (one(headers[PAGE_HEADER.name]) !== PAGE_HEADER.value) throw new DemoRefusal(403, `this endpoint answers only the demo page (header ${PAGE_HEADER.name} missing)`);
}
