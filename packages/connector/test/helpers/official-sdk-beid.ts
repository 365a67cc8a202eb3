import { chromium, type Response } from 'playwright-core';

type SecurityDetails = NonNullable<Awaited<ReturnType<Response['securityDetails']>>>;

/** What the official SDK read from the first card, or the SDK's error, as the page saw them. */
export interface PageBeidRead {
  readonly holder?: { surname: string; firstNames: string; nationalNumber: string; zipcode: string; pictureBytes: number };
  /** initialize()'s error, when it failed. */
  readonly initError?: { code: string; description: string };
  /** The error of a call made with the client that initialize()'s error carries. */
  readonly callError?: { code: string; description: string };
}

/** The TLS certificate chain Chromium met at the connector's origin (base64 DER, leaf first). */
export interface OfficialSdkBeidResult extends PageBeidRead {
  readonly chain: string[];
  /** The connector's /info loaded as a page (where the chain comes from): its status and whose connector answered, or its T1C code. */
  readonly infoPage?: { status: number; username?: string; code?: string };
  /** Chromium's own account of the connection (Playwright's securityDetails of the SDK's requests). */
  readonly security?: { issuer?: string; subjectName?: string; protocol?: string };
  readonly error?: string;
}

interface PageArgs { url: string; port: string }

/** Runs in the page, with the official SDK's public API only. */
async function readFirstCard(args: PageArgs): Promise<PageBeidRead> {
  type Res<T> = Promise<{ data: T }>;
  interface Client {
    core(): { readersCardAvailable(): Res<{ id: string }[]> };
    beid(id: string): {
      biometric(): Res<{ name: string; firstNames: string; nationalNumber: string }>;
      allData(filters: string[]): Res<{ biometric: { name: string }; address: { zipcode: string }; picture: { picture: string } }>;
    };
  }
  interface Sdk {
    T1CConfigOptions: new (url: string, port: string) => unknown;
    T1CConfig: new (options: unknown) => unknown;
    T1CClient: { initialize(cfg: unknown): Promise<Client> };
  }
  const sdk = (globalThis as unknown as { T1CSdk: Sdk }).T1CSdk;
  const failure = (error: unknown): { code: string; description: string } => {
    const e = error as { code?: unknown; description?: unknown };
    return { code: String(e.code), description: String(e.description) };
  };
  let client: Client;
  try {
    client = await sdk.T1CClient.initialize(new sdk.T1CConfig(new sdk.T1CConfigOptions(args.url, args.port)));
  } catch (error) {
    const carried = (error as { client?: Client }).client;
    if (!carried) return { initError: failure(error) };
    // T1C's SDK hands back a client even when its /info probe failed; a page may still call it.
    try {
      await carried.core().readersCardAvailable();
      return { initError: failure(error) };
    } catch (callError) {
      return { initError: failure(error), callError: failure(callError) };
    }
  }
  const [reader] = (await client.core().readersCardAvailable()).data;
  if (!reader) return { callError: { code: 'none', description: 'no reader with a card' } };
  const beid = client.beid(reader.id);
  const bio = (await beid.biometric()).data;
  const all = (await beid.allData([])).data;
  return {
    holder: { surname: all.biometric.name, firstNames: bio.firstNames, nationalNumber: bio.nationalNumber, zipcode: all.address.zipcode, pictureBytes: all.picture.picture.length },
  };
}

/**
 * Debian's Chromium, headless, as whoever runs this (the test starts it as one OS user, with that
 * user's own NSS database in ~/.pki/nssdb): loads `pageUrl` (the official SDK 3.6.1, unchanged),
 * points the SDK at `connectorUrl` and reads the first card. No certificate error is ignored.
 */
export async function readBeidWithOfficialSdk(input: { pageUrl: string; connectorUrl: string }): Promise<OfficialSdkBeidResult> {
  const connector = new URL(input.connectorUrl);
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium', headless: true,
    args: ['--no-sandbox', '--disable-background-networking', '--disable-gpu', '--no-first-run', '--disable-component-update', '--disable-sync'],
  });
  try {
    const context = await browser.newContext();
    const page = await context.newPage();
    // Chromium's account of each TLS connection the SDK's requests went over.
    const details: Promise<SecurityDetails | null>[] = [];
    page.on('response', (response) => {
      if (response.url().startsWith(connector.origin)) details.push(response.securityDetails().catch(() => null));
    });
    // tsx (esbuild keepNames) wraps named functions in __name(); the page needs that no-op too.
    await page.addInitScript('globalThis.__name = (f) => f');
    await page.goto(input.pageUrl);
    const read = await page.evaluate(readFirstCard, { url: `${connector.protocol}//${connector.hostname}`, port: connector.port });
    let chain: string[] = [];
    let infoPage: OfficialSdkBeidResult['infoPage'];
    if (connector.protocol === 'https:') {
      // DevTools gives the chain of an origin a page of this tab was loaded from, seen while the
      // Network domain was on: the connector's /info as a page, through the same port.
      const cdp = await context.newCDPSession(page);
      await cdp.send('Network.enable');
      const info = await page.goto(`${connector.origin}/info`);
      chain = (await cdp.send('Network.getCertificate', { origin: connector.origin })).tableNames;
      if (info) {
        const body = await info.json() as { t1CInfoUser?: { username?: string }; code?: string };
        infoPage = { status: info.status(), ...(body.t1CInfoUser?.username ? { username: body.t1CInfoUser.username } : {}), ...(body.code ? { code: body.code } : {}) };
      }
    }
    const seen = (await Promise.all(details)).find((d) => d !== null);
    const security = seen ? { ...(seen.issuer ? { issuer: seen.issuer } : {}), ...(seen.subjectName ? { subjectName: seen.subjectName } : {}), ...(seen.protocol ? { protocol: seen.protocol } : {}) } : undefined;
    return { ...read, chain, ...(infoPage ? { infoPage } : {}), ...(security ? { security } : {}) };
  } catch (error) {
    return { chain: [], error: error instanceof Error ? error.message : String(error) };
  } finally {
    await browser.close();
  }
}
