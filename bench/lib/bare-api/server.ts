// The bare architecture of a local card API, as a floor for our own: HTTPS keep-alive (the
// API's own key and certificate), one child process that alone touches PC/SC, and an RSA-2048
// SHA-256 signature over the JSON data, as every enveloped T1C response carries. No framework,
// routing, JWT, schema, lock or cache. Bench use only.
// Usage: node --import tsx server.ts <port> <key.pem> <cert.pem> <reader name>
import { fork } from 'node:child_process';
import { generateKeyPairSync, sign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:https';
import { fileURLToPath } from 'node:url';

const [port, keyPath, certPath, reader] = process.argv.slice(2);
if (!port || !keyPath || !certPath || !reader) throw new Error('usage: server.ts <port> <key> <cert> <reader>');
const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const card = fork(fileURLToPath(new URL('./card-process.ts', import.meta.url)), [], { serialization: 'advanced', execArgv: ['--import', 'tsx'] });
const b64 = (bytes: unknown): string => Buffer.from(bytes as Uint8Array).toString('base64');
interface Answer { ok: boolean; identity?: Uint8Array; identitySignature?: Uint8Array; address?: Uint8Array; addressSignature?: Uint8Array; photo?: Uint8Array; integrity?: unknown }
const server = createServer({ key: readFileSync(keyPath), cert: readFileSync(certPath) }, (_request, response) => {
  card.once('message', (answer: Answer) => {
    if (!answer.ok) {
      response.writeHead(500).end();
      return;
    }
    const data = JSON.stringify({
      biometric: { rawData: b64(answer.identity), signature: b64(answer.identitySignature) },
      address: { rawData: b64(answer.address), signature: b64(answer.addressSignature) },
      picture: { picture: b64(answer.photo) },
      integrity: answer.integrity,
    });
    const signature = sign('sha256', Buffer.from(data), privateKey).toString('base64');
    response.writeHead(200, { 'content-type': 'application/json' }).end(`{"success":true,"data":${data},"signature":"${signature}"}`);
  });
  card.send(reader);
});
card.once('message', () => server.listen(Number(port), '127.0.0.1', () => process.send?.('listening')));
process.on('SIGTERM', () => {
  server.close();
  server.closeAllConnections();
  card.disconnect();
});
