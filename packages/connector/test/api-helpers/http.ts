import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { Agent, request as httpsRequest } from 'node:https';
import { createVerify } from 'node:crypto';

export interface Answer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly text: string;
  readonly json: unknown;
}

export interface Client {
  call(method: string, path: string, options?: { headers?: Record<string, string>; body?: string | object | null }): Promise<Answer>;
  close(): void;
}

/** A keep-alive client for one base URL; with `ca` it trusts only that CA (the local CA test). */
export function client(base: string, ca?: string, defaults: Record<string, string> = {}): Client {
  const url = new URL(base);
  const https = url.protocol === 'https:';
  const agent = https ? new Agent({ keepAlive: true, ...(ca ? { ca } : {}) }) : undefined;
  return {
    call: (method, path, options = {}) => new Promise((resolve, reject) => {
      const body = options.body === undefined ? undefined : typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
      const headers: Record<string, string> = { ...defaults, ...options.headers };
      if (body !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['content-type'] = 'application/json';
      const req = (https ? httpsRequest : httpRequest)({
        host: url.hostname, port: url.port, method, path, headers, ...(agent ? { agent } : {}), ...(https ? { servername: url.hostname === '127.0.0.1' ? undefined : url.hostname } : {}),
      }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: unknown;
          try {
            json = JSON.parse(text);
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
        });
      });
      req.on('error', reject);
      if (body !== undefined) req.write(body);
      req.end();
    }),
    close: () => agent?.destroy(),
  };
}

/** Checks an envelope's signature the way SDK 3.8.8 does; returns `data`. */
export function verifiedData(answer: Answer, deviceKeyPem: string): unknown {
  const body = answer.json as { success?: unknown; data?: unknown; signature?: unknown };
  if (body?.success !== true || typeof body.signature !== 'string') throw new Error(`not a signed envelope: ${answer.status} ${answer.text.slice(0, 200)}`);
  const ok = createVerify('sha256').update(JSON.stringify(body.data)).verify(deviceKeyPem, body.signature, 'base64');
  if (!ok) throw new Error('envelope signature does not verify');
  return body.data;
}

export const errorCode = (answer: Answer): string | undefined => (answer.json as { code?: string } | undefined)?.code;
