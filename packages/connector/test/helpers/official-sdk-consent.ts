import { execFileSync } from 'node:child_process';
import { chromium } from 'playwright-core';

export interface OfficialConsentResult {
  /** What initialize() did before any consent: the SDK's error code, or 'ready'. */
  readonly first: string;
  /** How the code word reached the clipboard: the page's own navigator.clipboard, or xclip. */
  readonly copiedBy: string;
  readonly afterConsent?: string;
  readonly afterReload?: string;
  readonly tampered?: string;
  /** The consents the SDK stored (for the next browser to try). */
  readonly stored?: string;
  readonly error?: string;
}

interface PageArgs { port: number; inject: string | undefined }
/** The page's globals these functions use (the test tsconfig has no DOM library). */
interface PageGlobals {
  localStorage: { getItem(k: string): string | null; setItem(k: string, v: string): void; [key: string]: unknown };
  navigator: { clipboard: { writeText(text: string): Promise<void> } };
}
type PageOutcome = Omit<OfficialConsentResult, 'copiedBy'> & { word: string; pageCopied: boolean };

/** Runs in the page, with the official SDK's public API only. */
async function consentFlow(args: PageArgs): Promise<PageOutcome> {
  type Res<T> = Promise<{ data: T }>;
  interface Client {
    core(): { readersCardAvailable(): Res<{ id: string }[]>; getImplicitConsent(word: string, days: number): Promise<Client> };
    beid(id: string): { biometric(): Res<{ name: string }> };
  }
  interface Sdk {
    T1CConfigOptions: new (url: string, port: string) => unknown;
    T1CConfig: new (options: unknown) => unknown;
    T1CClient: { initialize(cfg: unknown): Promise<Client>; generateConsentToken(): string };
  }
  const sdk = (globalThis as unknown as { T1CSdk: Sdk }).T1CSdk;
  const { localStorage, navigator } = globalThis as unknown as PageGlobals;
  const cfg = (): unknown => new sdk.T1CConfig(new sdk.T1CConfigOptions('http://127.0.0.1', String(args.port)));
  const surname = async (client: Client): Promise<string> => {
    const [reader] = (await client.core().readersCardAvailable()).data;
    return reader ? (await client.beid(reader.id).biometric()).data.name : 'no reader';
  };
  const codeOf = (error: unknown): string => String((error as { code?: unknown }).code);
  const key = (): string | undefined => Object.keys(localStorage).find((k) => k.startsWith('t1c-consent-'));
  if (args.inject !== undefined) {
    // Another user's stored consents, as if copied into this browser's localStorage.
    localStorage.setItem(`t1c-consent-undefined::http://127.0.0.1:${args.port}`, args.inject);
    try {
      return { first: 'ready', afterReload: await surname(await sdk.T1CClient.initialize(cfg())), word: '', pageCopied: false };
    } catch (error) {
      return { first: codeOf(error), word: '', pageCopied: false };
    }
  }
  let first = 'ready';
  try {
    await sdk.T1CClient.initialize(cfg());
  } catch (error) {
    first = codeOf(error);
  }
  const word = sdk.T1CClient.generateConsentToken();
  let pageCopied = true;
  try {
    await navigator.clipboard.writeText(word);
  } catch {
    pageCopied = false;
  }
  return { first, word, pageCopied, afterConsent: '', afterReload: '', tampered: '', stored: key() ? localStorage.getItem(key() ?? '') ?? '' : '' };
}

/** Runs in the page after the code word is on the clipboard. */
async function afterCopy(args: { port: number; word: string }): Promise<Pick<OfficialConsentResult, 'afterConsent' | 'afterReload' | 'tampered' | 'stored'>> {
  type Res<T> = Promise<{ data: T }>;
  interface Client {
    core(): { readersCardAvailable(): Res<{ id: string }[]>; getImplicitConsent(word: string, days: number): Promise<Client> };
    beid(id: string): { biometric(): Res<{ name: string }> };
  }
  interface Sdk {
    T1CConfigOptions: new (url: string, port: string) => unknown;
    T1CConfig: new (options: unknown) => unknown;
    T1CClient: { initialize(cfg: unknown): Promise<Client> };
  }
  const sdk = (globalThis as unknown as { T1CSdk: Sdk }).T1CSdk;
  const { localStorage } = globalThis as unknown as PageGlobals;
  const cfg = (): unknown => new sdk.T1CConfig(new sdk.T1CConfigOptions('http://127.0.0.1', String(args.port)));
  const surname = async (client: Client): Promise<string> => {
    const [reader] = (await client.core().readersCardAvailable()).data;
    return reader ? (await client.beid(reader.id).biometric()).data.name : 'no reader';
  };
  const codeOf = (error: unknown): string => String((error as { code?: unknown }).code);
  let client: Client | undefined;
  try {
    await sdk.T1CClient.initialize(cfg());
  } catch (error) {
    client = (error as { client: Client }).client;
  }
  if (!client) return { afterConsent: 'initialize did not ask for consent' };
  const afterConsent = await surname(await client.core().getImplicitConsent(args.word, 1)).catch(codeOf);
  const afterReload = await sdk.T1CClient.initialize(cfg()).then(surname, codeOf);
  const key = Object.keys(localStorage).find((k) => k.startsWith('t1c-consent-')) ?? '';
  const stored = localStorage.getItem(key) ?? '';
  const tamperedConsents = (JSON.parse(stored) as string[]).map((c) => {
    const body = JSON.parse(atob(c)) as { agent: { expiresAt: number } };
    body.agent.expiresAt += 400 * 86_400_000;
    return btoa(JSON.stringify(body));
  });
  localStorage.setItem(key, JSON.stringify(tamperedConsents));
  const tampered = await sdk.T1CClient.initialize(cfg()).then(surname, codeOf);
  return { afterConsent, afterReload, tampered, stored };
}

export async function runOfficialConsentFlow(input: { pageUrl: string; registryPort: number; injectConsents: string | undefined }): Promise<OfficialConsentResult> {
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium', headless: false,
    args: ['--no-sandbox', '--disable-background-networking', '--disable-gpu', '--no-first-run', '--disable-component-update', '--disable-sync'],
  });
  try {
    const context = await browser.newContext();
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(input.pageUrl).origin });
    const page = await context.newPage();
    // tsx (esbuild keepNames) wraps named functions in __name(); the page needs that no-op too.
    await page.addInitScript('globalThis.__name = (f) => f');
    await page.goto(input.pageUrl);
    await page.bringToFront();
    const first = await page.evaluate(consentFlow, { port: input.registryPort, inject: input.injectConsents });
    if (input.injectConsents !== undefined) return { ...first, copiedBy: 'none' };
    // The page's copy button is the normal way; where the headless-less browser cannot own the
    // X selection, xclip (as this same user, on this same display) stands in for the click.
    if (!first.pageCopied) execFileSync('xclip', ['-selection', 'clipboard', '-i'], { input: first.word, stdio: ['pipe', 'ignore', 'ignore'] });
    const rest = await page.evaluate(afterCopy, { port: input.registryPort, word: first.word });
    return { first: first.first, copiedBy: first.pageCopied ? 'page' : 'xclip', ...rest };
  } catch (error) {
    return { first: 'error', copiedBy: 'none', error: error instanceof Error ? error.message : String(error) };
  } finally {
    await browser.close();
  }
}
