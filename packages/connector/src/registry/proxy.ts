import { Agent, request, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';

/** Hop-by-hop headers (RFC 9110 §7.6.1) never cross a proxy. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'proxy-authorization', 'te', 'trailer', 'upgrade']);

function endToEnd(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  const out: IncomingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) if (!HOP_BY_HOP.has(name) && value !== undefined) out[name] = value;
  return out;
}

/**
 * Forwards one request to an agent on 127.0.0.1 and streams its answer back unchanged. The
 * Host becomes the agent's own (its DNS-rebinding guard checks it); the Registry has already
 * checked the Host the browser sent. Every other end-to-end header (Authorization,
 * X-CSRF-Token, Origin, X-T1C-BILLING-TAG, X-Pace-*…) passes as sent.
 */
export class AgentProxy {
  private readonly pool = new Agent({ keepAlive: true, maxSockets: 512, maxFreeSockets: 64 });

  forward(req: IncomingMessage, res: ServerResponse, port: number, onFailure: (res: ServerResponse) => void): void {
    const upstream = request({
      host: '127.0.0.1',
      port,
      method: req.method,
      path: req.url,
      headers: { ...endToEnd(req.headers), host: `127.0.0.1:${port}` },
      agent: this.pool,
    }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, endToEnd(answer.headers));
      answer.pipe(res);
      answer.once('error', () => res.destroy());
    });
    upstream.once('error', () => {
      if (res.headersSent) res.destroy();
      else onFailure(res);
    });
    req.pipe(upstream);
  }

  close(): void {
    this.pool.destroy();
  }
}
