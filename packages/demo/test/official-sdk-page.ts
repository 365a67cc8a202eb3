import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { fileURLToPath } from 'node:url';

const BUNDLE = fileURLToPath(new URL('../../../node_modules/t1c-sdk-js/dist/T1CSdk.js', import.meta.url));

/** A bare page that loads the official SDK's browser bundle, unchanged, from its own origin. */
export async function startOfficialSdkPage(port: number): Promise<{ origin: string; close(): Promise<void> }> {
  const bundle = readFileSync(BUNDLE);
  const server: Server = createServer((request, response) => {
    if (request.url === '/T1CSdk.js') {
      response.writeHead(200, { 'content-type': 'text/javascript' }).end(bundle);
      return;
    }
    response.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>official SDK</title><script src="/T1CSdk.js"></script>');
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { origin: `http://127.0.0.1:${port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** Runs in the page with the official SDK's public API only: readers, then the card's identity. */
export async function readWithOfficialSdk(args: { port: number; jwt: string }): Promise<{ readers: string[]; name: string; zipcode: string; picture: number }> {
  type Res<T> = Promise<{ data: T }>;
  interface Sdk {
    T1CConfigOptions: new (url: string, port: string, proxyUrl: undefined, proxyPort: undefined, jwt: string) => unknown;
    T1CConfig: new (options: unknown) => unknown;
    T1CClient: {
      initialize(cfg: unknown): Promise<{
        core(): { readersCardAvailable(): Res<{ id: string; name: string }[]> };
        beid(id: string): { allData(filters: string[]): Res<{ biometric: { name: string }; address: { zipcode: string }; picture: { picture: string } }> };
      }>;
    };
  }
  const sdk = (globalThis as unknown as { T1CSdk: Sdk }).T1CSdk;
  const client = await sdk.T1CClient.initialize(new sdk.T1CConfig(new sdk.T1CConfigOptions('http://127.0.0.1', String(args.port), undefined, undefined, args.jwt)));
  const readers = (await client.core().readersCardAvailable()).data;
  const first = readers[0];
  if (!first) throw new Error('no reader with a card');
  const all = (await client.beid(first.id).allData([])).data;
  return { readers: readers.map((r) => r.name), name: all.biometric.name, zipcode: all.address.zipcode, picture: all.picture.picture.length };
}
