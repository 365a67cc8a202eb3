import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import { Duplex } from 'node:stream';
import { TLSSocket, type SecureContext } from 'node:tls';

/** The first byte of every TLS connection: a handshake record (RFC 8446 §5.1). */
const TLS_HANDSHAKE = 0x16;

/**
 * Hands a connection that reaches no agent to the Registry's own HTTP server, so the caller
 * gets a T1C error instead of a reset. A TLS client is answered over TLS when the Registry has
 * a certificate, else closed: plain text would only confuse it.
 */
export function answerLocally(socket: Socket, server: Server, secureContext: SecureContext | undefined, onSecure: (secure: TLSSocket) => void): void {
  socket.once('data', (first: Buffer) => {
    socket.pause();
    socket.unshift(first);
    if (first[0] !== TLS_HANDSHAKE) {
      server.emit('connection', socket);
      socket.resume();
      return;
    }
    if (!secureContext) {
      socket.destroy();
      return;
    }
    // Wrapped as a plain duplex: given the net.Socket itself, TLS would read from its handle
    // and never see the bytes already taken off it.
    const secure = new TLSSocket(Duplex.from({ readable: socket, writable: socket }), { isServer: true, secureContext });
    secure.once('close', () => socket.destroy());
    secure.on('error', () => secure.destroy());
    onSecure(secure);
    server.emit('connection', secure);
    socket.resume();
  });
  socket.resume();
}
