import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';

/** Serves a blank page and the official SDK bundle (npm t1c-sdk-js 3.6.1, unchanged). */
export async function startPageServer(): Promise<{ origin: string; close(): Promise<void> }> {
  const require = createRequire(import.meta.url);
  const sdk = readFileSync(require.resolve('t1c-sdk-js/dist/T1CSdk.js'));
  const server: Server = createServer((req, res) => {
    if (req.url === '/T1CSdk.js') {
      res.writeHead(200, { 'content-type': 'application/javascript' }).end(sdk);
      return;
    }
    res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>t1c test page</title><script src="/T1CSdk.js"></script>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
