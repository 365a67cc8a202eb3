import { createServer } from 'node:net';

/**
 * A TCP port free on 127.0.0.1 right now (listen on 0, read it, close), for a process that must
 * be told its port before it starts. Another program may take it meanwhile: use it at once.
 */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (typeof address !== 'object' || address === null) throw new Error('no port on 127.0.0.1');
  return address.port;
}
