import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { CardSession } from '@t1c/smartcard/reader';
import { PcscBackend } from '@t1c/smartcard/pcsc';
import { EmvCard } from '@t1c/smartcard/emv';
import { startPcscd, type PcscdHarness } from '@t1c/emulator';
import { collectOutput, runCli, T1C_BIN } from './helpers/run-cli.js';
import { waitForCard } from './helpers/card-rig.js';

describe('t1c emulator emv', () => {
  let pcscd: PcscdHarness;
  let backend: PcscBackend;

  before(async () => {
    pcscd = await startPcscd();
    backend = new PcscBackend();
  });
  after(async () => {
    await backend?.close();
    await pcscd?.stop();
  });

  test('serves a payment card in the vpcd reader until SIGTERM; --no-ppse leaves only the PSE', async () => {
    const reader = pcscd.readers[0];
    assert.ok(reader);
    const child = spawn(process.execPath, [T1C_BIN, 'emulator', 'emv', '--vpcd', `127.0.0.1:${reader.port}`, '--pin', '2468', '--no-ppse'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const done = collectOutput(child);
    try {
      await waitForCard(backend, reader.name, true);
      const connection = await backend.connect(reader.name);
      try {
        const emv = await EmvCard.open(new CardSession(connection));
        assert.deepEqual(emv.applications.map((a) => a.label), ['MAESTRO', 'VISA CREDIT']);
        await emv.verifyPin(Uint8Array.from(Buffer.from('2468')));
      } finally {
        await connection.disconnect();
      }
    } finally {
      if (child.pid !== undefined) process.kill(child.pid, 'SIGTERM');
    }
    const result = await done;
    assert.match(result.stdout, /EMV virtual payment card with VISA CREDIT .*MAESTRO .*PSE yes, PPSE no; PIN 2468/);
    assert.match(result.stdout, /stopped \(SIGTERM\)/);
    await waitForCard(backend, reader.name, false);
  });

  test('--no-pse --no-ppse --applications no-directory serves a card read from the terminal AIDs', async () => {
    const reader = pcscd.readers[0];
    assert.ok(reader);
    const child = spawn(process.execPath, [T1C_BIN, 'emulator', 'emv', '--vpcd', `127.0.0.1:${reader.port}`, '--no-pse', '--no-ppse', '--applications', 'no-directory'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const done = collectOutput(child);
    try {
      await waitForCard(backend, reader.name, true);
      const connection = await backend.connect(reader.name);
      try {
        const session = new CardSession(connection);
        assert.equal(await EmvCard.recognise(session), true);
        const emv = await EmvCard.open(session);
        assert.equal(emv.source, 'terminal-aids');
        assert.deepEqual(emv.applications.map((a) => a.aid), ['A000000003101001', 'A0000000043060']);
      } finally {
        await connection.disconnect();
      }
    } finally {
      if (child.pid !== undefined) process.kill(child.pid, 'SIGTERM');
    }
    const result = await done;
    assert.match(result.stdout, /VISA DEBIT \(A000000003101002, priority 1, blocked\), VISA CREDIT .*PSE no, PPSE no/);
    await waitForCard(backend, reader.name, false);
  });

  test('a bad PIN or vpcd address is refused with a clear message', async () => {
    const pin = await runCli(['emulator', 'emv', '--pin', '12']);
    assert.notEqual(pin.code, 0);
    assert.match(pin.stderr, /--pin must be 4 to 12 digits/);
    const vpcd = await runCli(['emulator', 'emv', '--vpcd', 'nowhere']);
    assert.notEqual(vpcd.code, 0);
    assert.match(vpcd.stderr, /--vpcd must be HOST:PORT/);
    const set = await runCli(['emulator', 'emv', '--applications', 'gold']);
    assert.notEqual(set.code, 0);
    assert.match(set.stderr, /--applications.*specimen, no-directory/);
  });
});
