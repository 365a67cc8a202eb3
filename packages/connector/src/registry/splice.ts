import { connect, type Socket } from 'node:net';

/**
 * Joins a caller's connection to its agent's port on 127.0.0.1, byte for byte. The Registry
 * never reads what passes: TLS runs end to end between the browser and the user's own agent,
 * whose certificate that user's browser trusts. Resolves false, touching nothing, when the agent
 * does not accept the connection.
 */
export function spliceToAgent(client: Socket, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const upstream = connect({ host: '127.0.0.1', port });
    upstream.once('error', () => {
      upstream.destroy();
      resolve(false);
    });
    upstream.once('connect', () => {
      upstream.removeAllListeners('error');
      upstream.on('error', () => client.destroy());
      client.on('error', () => upstream.destroy());
      upstream.setNoDelay(true);
      client.setNoDelay(true);
      client.once('close', () => upstream.destroy());
      upstream.once('close', () => client.destroy());
      client.pipe(upstream);
      upstream.pipe(client);
      client.resume();
      resolve(true);
    });
  });
}
