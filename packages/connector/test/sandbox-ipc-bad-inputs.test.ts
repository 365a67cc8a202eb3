import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { IPC_SERIALIZATION, responseSchema, type SandboxResponse } from '../src/ipc/index.js';
import { selfCommand } from '../src/os/self-command.js';

const PIN = '1234';
const digits = (pin: string): Uint8Array => new TextEncoder().encode(pin);

/** A raw IPC client against a real `t1c sandbox`: sends any value, reads answers by id. */
class RawSandbox {
  private readonly answers = new Map<number, (answer: SandboxResponse) => void>();
  readonly ready: Promise<void>;
  constructor(readonly child: ChildProcess) {
    this.ready = new Promise((resolve, reject) => {
      child.once('exit', (code) => reject(new Error(`sandbox exited with ${code}`)));
      child.on('message', (message: unknown) => {
        if (typeof message === 'object' && message !== null && 'ready' in message) {
          resolve();
          return;
        }
        const answer = responseSchema.parse(message);
        this.answers.get(answer.id)?.(answer);
      });
    });
  }

  /** Sends `message` as is and waits for the answer with this id. */
  send(id: number, message: unknown): Promise<SandboxResponse> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no answer to request ${id}`)), 20_000);
      this.answers.set(id, (answer) => {
        clearTimeout(timer);
        resolve(answer);
      });
      this.child.send(message as object);
    });
  }

  request(id: number, body: Record<string, unknown>): Promise<SandboxResponse> {
    return this.send(id, { id, ...body });
  }
}

function failure(answer: SandboxResponse): { code: string; message: string } {
  assert.equal(answer.ok, false, JSON.stringify(answer));
  if (answer.ok) throw new Error('unreachable');
  return answer.error;
}

describe('the sandbox refuses bad requests on its IPC channel, clearly, and stays usable', () => {
  let sandbox: RawSandbox;
  let reader: string;
  let nextId = 1;

  before(async () => {
    const { command, args } = selfCommand(['sandbox', '--virtual-card', 'beid-1.8', '--no-pcsc']);
    sandbox = new RawSandbox(spawn(command, args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], serialization: IPC_SERIALIZATION }));
    await sandbox.ready;
    const listing = await sandbox.request(nextId++, { module: 'core', op: 'listReaders', reader: null, args: {} });
    assert.ok(listing.ok);
    const readers = (listing.result as { readers: { id: string; card: { module: string } | null }[] }).readers;
    reader = readers.find((r) => r.card?.module === 'beid')?.id ?? '';
    assert.notEqual(reader, '');
  });
  after(async () => {
    const child = sandbox.child;
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.disconnect();
    await exited;
  });

  const cases: [string, () => Record<string, unknown>, string, RegExp][] = [
    ['an unknown module', () => ({ module: 'pkcs99', op: 'read', reader, args: {} }), 'MODULE_UNKNOWN', /no card module named "pkcs99"/],
    ['a module name from Object.prototype', () => ({ module: 'constructor', op: 'read', reader, args: {} }), 'MODULE_UNKNOWN', /constructor/],
    ['an unknown op', () => ({ module: 'beid', op: 'format', reader, args: {} }), 'OP_UNKNOWN', /module beid has no op "format"/],
    ['an op name from Object.prototype', () => ({ module: 'beid', op: '__proto__', reader, args: {} }), 'OP_UNKNOWN', /__proto__/],
    ['a core op with args it does not take', () => ({ module: 'core', op: 'listReaders', reader: null, args: { all: true } }), 'ARGS_INVALID', /core\.listReaders/],
    ['sign with a digest that is text', () => ({ module: 'beid', op: 'sign', reader, args: { key: 'nonRepudiation', algorithm: 'SHA-256', digest: 'abc' } }), 'ARGS_INVALID', /digest/],
    ['sign with an unknown key', () => ({ module: 'beid', op: 'sign', reader, args: { key: 'basic', algorithm: 'SHA-256', digest: new Uint8Array(32) } }), 'ARGS_INVALID', /key/],
    ['a digest as 16-bit words (not bytes)', () => ({ module: 'beid', op: 'sign', reader, args: { key: 'authentication', algorithm: 'SHA-256', digest: new Uint16Array(16) } }), 'ARGS_INVALID', /digest/],
    ['a digest in JSON\'s Buffer shape', () => ({ module: 'beid', op: 'sign', reader, args: { key: 'authentication', algorithm: 'SHA-256', digest: { type: 'Buffer', data: Array.from({ length: 32 }, () => 0) } } }), 'ARGS_INVALID', /digest/],
    ['a PIN given as a number array', () => ({ module: 'beid', op: 'verifyPin', reader, args: { pin: { kind: 'digits', pin: [0x31, 0x32, 0x33, 0x34] } } }), 'ARGS_INVALID', /pin/],
    ['a digest longer than any hash', () => ({ module: 'beid', op: 'sign', reader, args: { key: 'authentication', algorithm: 'SHA-256', digest: new Uint8Array(65) } }), 'ARGS_INVALID', /digest/],
    ['a card op without a reader', () => ({ module: 'beid', op: 'read', reader: null, args: {} }), 'READER_REQUIRED', /needs a reader/],
    ['a reader that does not exist', () => ({ module: 'beid', op: 'read', reader: 'no-such-reader', args: {} }), 'PCSC_UNKNOWN_READER', /no reader/],
    ['an emv op that does not exist', () => ({ module: 'emv', op: 'sign', reader, args: {} }), 'OP_UNKNOWN', /module emv has no op "sign"/],
    ['emv certificates without an AID', () => ({ module: 'emv', op: 'certificates', reader, args: {} }), 'ARGS_INVALID', /aid/],
    ['an AID in lower case or too short', () => ({ module: 'emv', op: 'certificates', reader, args: { aid: 'a0000000' } }), 'ARGS_INVALID', /aid/],
    ['an AID longer than 16 bytes', () => ({ module: 'emv', op: 'applicationData', reader, args: { aid: 'A0'.repeat(17) } }), 'ARGS_INVALID', /aid/],
    ['emv verifyPin with an extra field', () => ({ module: 'emv', op: 'verifyPin', reader, args: { pin: { kind: 'digits', pin: digits('9999') }, amount: 1 } }), 'ARGS_INVALID', /emv\.verifyPin/],
    ['an emv op on the eID (no PPSE or PSE)', () => ({ module: 'emv', op: 'applications', reader, args: {} }), 'CARD_UNKNOWN', /not handled by the emv module/],
    ['an envelope without op', () => ({ module: 'beid', reader, args: {} }), 'REQUEST_MALFORMED', /\{id, module, op, reader, args\}/],
    ['a reader id that is a number', () => ({ module: 'beid', op: 'read', reader: 7, args: {} }), 'REQUEST_MALFORMED', /\{id, module, op, reader, args\}/],
    ['a PKCS#11 op without a library', () => ({ module: 'pkcs11', op: 'slots', reader: null, args: {} }), 'ARGS_INVALID', /library/],
    ['a relative PKCS#11 library path', () => ({ module: 'pkcs11', op: 'slots', reader: null, args: { library: 'libsofthsm2.so' } }), 'PKCS11_LIBRARY_REFUSED', /relative/],
    ['a PKCS#11 library outside the allowed directories', () => ({ module: 'pkcs11', op: 'checkLibrary', reader: null, args: { library: '/tmp/libevil.so' } }), 'PKCS11_LIBRARY_REFUSED', /outside the allowed directories/],
    ['a PKCS#11 slot that is not a number', () => ({ module: 'pkcs11', op: 'tokenInfo', reader: '../0', args: { library: '/usr/lib/softhsm/libsofthsm2.so' } }), 'PKCS11_SLOT_UNKNOWN', /decimal/],
    ['a PKCS#11 key id that is not hex', () => ({ module: 'pkcs11', op: 'sign', reader: '0', args: { library: '/usr/lib/softhsm/libsofthsm2.so', usage: 'authentication', certificateId: 'zz', algorithm: 'SHA-256', digest: new Uint8Array(32), pin: { kind: 'digits', pin: digits(PIN) } } }), 'ARGS_INVALID', /certificateId/],
  ];
  for (const [what, body, code, message] of cases) {
    it(`${what} → ${code}`, async () => {
      const error = failure(await sandbox.request(nextId++, body()));
      assert.equal(error.code, code);
      assert.match(error.message, message);
    });
  }

  it('a message that is not an object cannot be answered (no id to answer) and does not stop the sandbox', async () => {
    const id = nextId++;
    // No id can be read from a string, a number or null: the sandbox cannot answer, and must not die.
    for (const junk of ['{"id":', 7, null, [1, 2]]) sandbox.child.send(junk as object);
    const after = await sandbox.request(id, { module: 'core', op: 'ping', reader: null, args: {} });
    assert.deepEqual(after, { id, ok: true, result: { pong: true } });
  });

  it('a wrong PIN inside malformed args never reaches the card: three of them leave the PIN unblocked', async () => {
    for (let i = 0; i < 3; i++) {
      const error = failure(await sandbox.request(nextId++, {
        module: 'beid', op: 'verifyPin', reader, args: { pin: { kind: 'digits', pin: digits('9999') }, extra: 1 },
      }));
      assert.equal(error.code, 'ARGS_INVALID');
      assert.doesNotMatch(error.message, /9999|57575757|OTk5OQ/, 'the PIN is never echoed');
      const pinpadTypo = failure(await sandbox.request(nextId++, { module: 'beid', op: 'verifyPin', reader, args: { pin: { kind: 'keyboard', pin: digits('9999') } } }));
      assert.equal(pinpadTypo.code, 'ARGS_INVALID');
    }
    const verified = await sandbox.request(nextId++, { module: 'beid', op: 'verifyPin', reader, args: { pin: { kind: 'digits', pin: digits(PIN) } } });
    assert.deepEqual(verified.ok ? verified.result : verified.error, { verified: true });
  });

  it('after every refusal the reader is free: a full read and a signature succeed', async () => {
    const read = await sandbox.request(nextId++, { module: 'beid', op: 'read', reader, args: {} });
    assert.ok(read.ok, JSON.stringify(read));
    assert.equal((read.result as { applet: string }).applet, '1.8');
    const signed = await sandbox.request(nextId++, {
      module: 'beid', op: 'sign', reader, args: { key: 'authentication', algorithm: 'SHA-256', digest: new Uint8Array(32), pin: { kind: 'digits', pin: digits(PIN) } },
    });
    assert.ok(signed.ok, JSON.stringify(signed));
  });
});

describe('PKCS#11 library directories the connector is started with (T1C_PKCS11_DIRECTORIES)', () => {
  let sandbox: RawSandbox;
  let dir: string;
  let nextId = 1;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 't1c-p11-dirs-'));
    copyFileSync('/usr/lib/softhsm/libsofthsm2.so', join(dir, 'libvendor-pkcs11.so'));
    const { command, args } = selfCommand(['sandbox', '--no-pcsc']);
    sandbox = new RawSandbox(spawn(command, args, {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'], serialization: IPC_SERIALIZATION, env: { ...process.env, T1C_PKCS11_DIRECTORIES: `/nonexistent${delimiter}${dir}` },
    }));
    await sandbox.ready;
  });
  after(async () => {
    const child = sandbox.child;
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.disconnect();
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('accepts a library in a configured directory, still refuses one beside it and a world-writable one', async () => {
    const library = join(dir, 'libvendor-pkcs11.so');
    const accepted = await sandbox.request(nextId++, { module: 'pkcs11', op: 'checkLibrary', reader: null, args: { library } });
    assert.deepEqual(accepted.ok ? accepted.result : accepted.error, { path: library, installed: true });
    const missing = await sandbox.request(nextId++, { module: 'pkcs11', op: 'checkLibrary', reader: null, args: { library: join(dir, 'libabsent.so') } });
    assert.deepEqual(missing.ok ? missing.result : missing.error, { path: join(dir, 'libabsent.so'), installed: false });
    const outside = failure(await sandbox.request(nextId++, { module: 'pkcs11', op: 'checkLibrary', reader: null, args: { library: `${dir}-other/libvendor-pkcs11.so` } }));
    assert.equal(outside.code, 'PKCS11_LIBRARY_REFUSED');
    chmodSync(library, 0o666);
    const writable = failure(await sandbox.request(nextId++, { module: 'pkcs11', op: 'checkLibrary', reader: null, args: { library } }));
    assert.equal(writable.code, 'PKCS11_LIBRARY_REFUSED');
    assert.match(writable.message, /writable by every user/);
  });
});
