import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { startApi, type RunningApi } from '../src/index.js';
import { systemPinDialog } from '../src/os/pin-dialog.js';

const run = promisify(execFile);

/** Starts Xvfb on a display number it picks itself (-displayfd), so nothing on the host clashes. */
async function startXvfb(): Promise<{ display: string; process: ChildProcess }> {
  const xvfb = spawn('Xvfb', ['-displayfd', '3', '-nolisten', 'tcp', '-screen', '0', '800x600x24'], { stdio: ['ignore', 'ignore', 'ignore', 'pipe'] });
  const display = await new Promise<string>((resolve, reject) => {
    const pipe = xvfb.stdio[3];
    if (!pipe) return reject(new Error('no display pipe'));
    let text = '';
    pipe.on('data', (d: Buffer) => {
      text += d.toString();
      if (text.includes('\n')) resolve(`:${text.trim()}`);
    });
    xvfb.once('exit', (code) => reject(new Error(`Xvfb exited with ${String(code)}`)));
  });
  return { display, process: xvfb };
}

/** A person at the desk: waits for the PIN dialog, types into it and presses a key. */
async function typeIntoDialog(display: string, text: string, key: 'Return' | 'Escape', name = 'Smart card PIN'): Promise<void> {
  const env = { ...process.env, DISPLAY: display };
  await run('xdotool', ['search', '--sync', '--name', name, 'windowfocus', '--sync', ...(text ? ['type', '--delay', '20', text] : [])], { env, timeout: 20_000 });
  await run('xdotool', ['key', key], { env, timeout: 20_000 });
}

describe('native PIN dialog (zenity under Xvfb)', () => {
  let xvfb: { display: string; process: ChildProcess };
  let api: RunningApi | undefined;
  let dataDir: string;

  before(async () => {
    xvfb = await startXvfb();
    dataDir = mkdtempSync(join(tmpdir(), 't1c-dialog-'));
  });
  after(async () => {
    await api?.close();
    xvfb.process.kill('SIGTERM');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('returns the PIN typed into the dialog', async () => {
    const dialog = systemPinDialog({ DISPLAY: xvfb.display, PATH: process.env.PATH ?? '' });
    const [pin] = await Promise.all([dialog({ timeoutSeconds: 20 }), typeIntoDialog(xvfb.display, '4321', 'Return')]);
    assert.equal(Buffer.from(pin).toString(), '4321');
  });

  it('names the asking origin in the real dialog, markup shown as typed', async () => {
    const origin = 'https://<b>&_x.example';
    const dialog = systemPinDialog({ DISPLAY: xvfb.display, PATH: process.env.PATH ?? '' });
    const title = `Smart card PIN for ${origin}`;
    // xdotool matches --name as a regex: found by the whole literal title, so that is what the window says.
    const exact = `^${title.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`;
    const [pin] = await Promise.all([dialog({ timeoutSeconds: 20, origin, application: 'shop' }), typeIntoDialog(xvfb.display, '2468', 'Return', exact)]);
    assert.equal(Buffer.from(pin).toString(), '2468');
  });

  it('reports Escape as a cancelled PIN entry', async () => {
    const dialog = systemPinDialog({ DISPLAY: xvfb.display, PATH: process.env.PATH ?? '' });
    const results = await Promise.allSettled([dialog({ timeoutSeconds: 20 }), typeIntoDialog(xvfb.display, '', 'Escape')]);
    assert.equal(results[0].status, 'rejected');
    assert.equal((results[0] as PromiseRejectedResult).reason.code, '108005');
  });

  it('reports a dialog nobody answers as a timeout, and closes it', async () => {
    const dialog = systemPinDialog({ DISPLAY: xvfb.display, PATH: process.env.PATH ?? '' });
    await assert.rejects(dialog({ timeoutSeconds: 1 }), (e: { code?: string }) => e.code === '108006');
  });

  it('verifies the PIN through the API with osDialog: true', async () => {
    api = await startApi({
      port: 0, transport: 'http', jwt: false, dataDir, virtualCards: ['1.8'], pcsc: false, logLevel: 'silent',
      env: { DISPLAY: xvfb.display, PATH: process.env.PATH ?? '' },
    });
    const readers = await (await fetch(new URL('/v3/readers', api.url))).json() as { data: { id: string }[] };
    const rid = readers.data[0]?.id ?? '';
    const verify = (): Promise<Response> => fetch(new URL(`/v3/modules/beid/apps/token/readers/${rid}/verify-pin`, api?.url), {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ osDialog: true }),
    });
    const [right] = await Promise.all([verify(), typeIntoDialog(xvfb.display, '1234', 'Return')]);
    assert.equal(right.status, 200);
    assert.deepEqual((await right.json() as { data: unknown }).data, { verified: true });
    const [wrong] = await Promise.all([verify(), typeIntoDialog(xvfb.display, '9999', 'Return')]);
    assert.equal(wrong.status, 400);
    assert.equal((await wrong.json() as { code: string }).code, '108003');
  });
});
