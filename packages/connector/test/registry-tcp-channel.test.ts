import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { attachToVpcd, BeidVirtualCard, SPECIMEN_HOLDER, startPcscd, type PcscdHarness, type VpcdLink } from '@t1c/emulator';
import { T1C_BIN } from './helpers/run-cli.js';
import { OsUsers, waitForOutput, waitForStderr } from './helpers/os-users.js';
import { freePort } from './helpers/free-port.js';

const A = 't1c-treg-a';
const B = 't1c-treg-b';


/**
 * Windows' registration channel (TCP on 127.0.0.1, the peer named by the socket table) run
 * natively on Linux with real users: A's agent reads a virtual eID through a real pcscd (vpcd),
 * B's its in-process one, both through the Registry's one port.
 */
describe('t1c registry --channel-port: the TCP channel with two OS users and a card in a real pcscd', () => {
  let users: OsUsers;
  let dir: string;
  let pcscd: PcscdHarness;
  let link: VpcdLink;
  let registry: ChildProcess;
  let registryUrl = '';
  let channelPort = 0;
  const agentUrl: Record<string, string> = {};


  /** The holder's surname on the card of the reader `user` sees at `base` (with a card in it). */
  async function surnameAt(user: string, base: string): Promise<string> {
    let reader: { id: string } | undefined;
    for (let i = 0; i < 50 && !reader; i++) {
      const readers = await users.curl(user, `${base}/v3/readers`);
      assert.equal(readers.status, 200, readers.body);
      reader = (JSON.parse(readers.body) as { data: { id: string; card?: unknown }[] }).data.find((r) => r.card);
      if (!reader) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.ok(reader);
    const bio = await users.curl(user, `${base}/v3/modules/beid/apps/token/readers/${reader.id}/biometric`);
    assert.equal(bio.status, 200, bio.body);
    return (JSON.parse(bio.body) as { data: { name: string } }).data.name;
  }

  function startAgent(user: string, channel: string, card: readonly string[]): ChildProcess {
    return users.spawn(user, [process.execPath, T1C_BIN, 'api', '--registry', channel, '--http', '--no-jwt', ...card, '--log-level', 'warn']);
  }

  before(async () => {
    pcscd = await startPcscd({ readerPairs: 1 });
    link = await attachToVpcd(await BeidVirtualCard.create({ appletVersion: '1.8' }), { port: pcscd.readers[0]?.port ?? 0 });
    users = await OsUsers.create([A, B]);
    // Under /run: the throw-away root (where the users exist) bind-mounts it.
    dir = mkdtempSync('/run/t1c-tcp-registry-');
    chmodSync(dir, 0o755);
    writeFileSync(join(dir, `${B}.json`), JSON.stringify({ surname: 'Bravo', firstNames: 'Bravo Test', birthDate: '03 MEI 2001', gender: 'F', nationalNumber: '01050312366', address: { streetAndNumber: 'Kerkstraat 1', zipCode: '2000', municipality: 'Antwerpen' } }), { mode: 0o644 });
    channelPort = await freePort();
    let agentBase = await freePort();
    // The agents' range must not hold the channel's port.
    while (channelPort >= agentBase && channelPort <= agentBase + 9) agentBase = await freePort();
    registry = users.spawn('root', [process.execPath, T1C_BIN, 'registry', '--port', '0', '--channel-port', String(channelPort), '--agent-ports', `${agentBase}-${agentBase + 9}`, '--log-level', 'info']);
    registryUrl = (await waitForStderr(registry, new RegExp(`t1c registry listening on (http://\\S+) \\(mode ours, agents on 127\\.0\\.0\\.1:${channelPort}\\)`)))[1] ?? '';
    const live = [A, B].map((user) => waitForOutput(registry, new RegExp(`"username":"${user}","port":\\d+,"msg":"agent ready"`), 'stdout'));
    const agents = {
      [A]: startAgent(A, `127.0.0.1:${channelPort}`, []),
      [B]: startAgent(B, `127.0.0.1:${channelPort}`, ['--no-pcsc', '--virtual-card', 'beid', '--virtual-card-data', join(dir, `${B}.json`)]),
    };
    for (const [user, child] of Object.entries(agents)) agentUrl[user] = (await waitForStderr(child, /t1c api listening on (http:\/\/\S+)/))[1] ?? '';
    await Promise.all(live);
  });
  after(async () => {
    await users?.close();
    await link?.close();
    await pcscd?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('A reads the card in pcscd and B its own, through the same port; B straight to A\'s agent gets 403 104032', async () => {
    assert.equal(await surnameAt(A, registryUrl), SPECIMEN_HOLDER.surname);
    assert.equal(await surnameAt(B, registryUrl), 'Bravo');
    const r = await users.curl(B, `${agentUrl[A]}/v3/readers`);
    assert.equal(r.status, 403, r.body);
    assert.equal((JSON.parse(r.body) as { code: string }).code, '104032');
  });

  it('an agent sends nothing to a channel port that another user listens on, and says why', async () => {
    const squatPort = await freePort();
    const heard = join(dir, 'heard.txt');
    writeFileSync(heard, '', { mode: 0o666 });
    const squatter = users.spawn(B, [process.execPath, '-e', `const fs=require('fs');require('net').createServer((s)=>{s.on('data',(d)=>fs.appendFileSync(${JSON.stringify(heard)},d));s.write('{"type":"assigned","port":1025}\\n')}).listen(${squatPort},'127.0.0.1',()=>console.log('up'))`]);
    await new Promise<void>((resolve) => squatter.stdout?.once('data', () => resolve()));
    const fooled = startAgent(A, `127.0.0.1:${squatPort}`, ['--no-pcsc']);
    try {
      await waitForOutput(fooled, new RegExp(`127\\.0\\.0\\.1:${squatPort} is not a Registry this machine's administrator set up \\(it runs as uid:${users.user(B).uid}, not SYSTEM, LocalService, NetworkService, root or this user\\); not registering`), 'stdout');
      assert.equal(readFileSync(heard, 'utf8'), '');
    } finally {
      fooled.kill('SIGKILL');
      squatter.kill('SIGKILL');
    }
  });
});
