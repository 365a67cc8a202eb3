import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ensureExecutables } from './helpers/dist-exe.js';
import { OsUsers } from './helpers/os-users.js';
import { WINE } from './helpers/wine.js';
import { freePort } from './helpers/free-port.js';

const A = 't1c-wreg-a';
const B = 't1c-wreg-b';
const C = 't1c-wreg-c';
const HOLDERS = { [A]: 'Alpha', [B]: 'Bravo' } as const;
const WINESERVER = existsSync('/usr/lib/wine/wineserver64') ? '/usr/lib/wine/wineserver64' : '/usr/lib/wine/wineserver';


/** `/run/x` as a Windows program under Wine names it (Z: is the Linux root). */
const windowsPath = (path: string): string => `Z:${path.replace(/\//g, '\\')}`;


/**
 * The Windows executable of `npm run dist` as a shared host's Registry under Wine: the Registry as
 * root, each agent as its own Linux user with its own Wine prefix (so its own wineserver: a named
 * pipe could not cross between them, TCP on 127.0.0.1 does). Clients are Linux processes of those
 * users. Wine 8's winscard.dll is a stub (SCardEstablishContext answers SCARD_F_INTERNAL_ERROR),
 * so each agent reads its in-process virtual eID; the card path through a real pcscd is proven
 * by the Linux tests.
 */
// A bound, not a measurement: a Wine program that never exits must fail the file, not hang CI.
describe('t1c.exe registry under Wine: two Linux users, one well-known port, the TCP channel', { timeout: 900_000 }, () => {
  let users: OsUsers;
  let dir: string;
  let exe: string;
  let registryPort = 0;
  let channelPort = 0;
  const agentPort: Record<string, number> = {};
  const started: { user: string; child: ChildProcess; log: string }[] = [];

  /** Wine's environment for `user`: its own prefix and wineserver directory. */
  const wineEnv = (user: string): NodeJS.ProcessEnv => ({
    WINEPREFIX: join(dir, user, 'prefix'), TMPDIR: join(dir, user, 'tmp'), WINEDEBUG: '-all', WINEDLLOVERRIDES: 'mscoree,mshtml=', DISPLAY: '',
    ...(user === 'root' ? { HOME: '/root' } : {}),
  });

  /** Starts `t1c.exe args` as `user`; Node under Wine cannot write to a pipe, so its output goes to a file. */
  function startExe(user: string, name: string, args: readonly string[]): { child: ChildProcess; log: () => string } {
    const log = join(dir, user, `${name}.log`);
    const child = users.spawn(user, ['sh', '-c', 'exec "$@" >"$LOG" 2>&1', 'sh', WINE, exe, ...args], { ...wineEnv(user), LOG: log });
    started.push({ user, child, log });
    return { child, log: () => (existsSync(log) ? readFileSync(log, 'utf8') : '') };
  }

  /** Waits until `pattern` shows in the log (or the program exits); Wine's first start of a program is slow. */
  async function waitForLog(p: { child: ChildProcess; log: () => string }, pattern: RegExp): Promise<RegExpExecArray> {
    for (let i = 0; i < 1200; i++) {
      const m = pattern.exec(p.log());
      if (m) return m;
      if (p.child.exitCode !== null || p.child.signalCode !== null) throw new Error(`t1c.exe exited (${String(p.child.exitCode)}) before ${pattern}:\n${p.log()}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    throw new Error(`no ${pattern} in:\n${p.log()}`);
  }

  async function exited(p: { child: ChildProcess }): Promise<number | null> {
    if (p.child.exitCode !== null || p.child.signalCode !== null) return p.child.exitCode;
    return new Promise((resolve) => p.child.once('exit', (code) => resolve(code)));
  }

  async function stop(p: { child: ChildProcess }): Promise<void> {
    if (p.child.exitCode !== null || p.child.signalCode !== null) return;
    const gone = exited(p);
    p.child.kill('SIGKILL');
    await gone;
  }


  /** The holder's surname of the only card `user` sees at `base`. */
  async function surnameAt(user: string, base: string): Promise<string> {
    const readers = await users.curl(user, `${base}/v3/readers`);
    assert.equal(readers.status, 200, readers.body);
    const [reader] = (JSON.parse(readers.body) as { data: { id: string }[] }).data;
    assert.ok(reader, readers.body);
    const bio = await users.curl(user, `${base}/v3/modules/beid/apps/token/readers/${reader.id}/biometric`);
    assert.equal(bio.status, 200, bio.body);
    return (JSON.parse(bio.body) as { data: { name: string } }).data.name;
  }

  /**
   * A raw channel client run as `user` (Linux node): sends `lines`, prints every line the
   * Registry answers and `closed` when it hangs up (or `open` after 3 s of quiet).
   */
  async function rawChannel(user: string, port: number, lines: readonly string[]): Promise<string[]> {
    const script = `const s=require('net').connect(${port},'127.0.0.1');let out='';let t;const quiet=()=>{clearTimeout(t);t=setTimeout(()=>{console.log(out+'open');process.exit(0)},3000)};
s.on('connect',()=>{for(const l of ${JSON.stringify(lines)})s.write(l+'\\n');quiet()});s.on('data',(d)=>{out+=d;quiet()});s.on('error',()=>{});s.on('close',()=>{clearTimeout(t);console.log(out+'closed');process.exit(0)});`;
    const r = await users.run(user, [process.execPath, '-e', script]);
    assert.equal(r.code, 0, r.stderr);
    return r.stdout.trim().split('\n');
  }

  let registry: { child: ChildProcess; log: () => string };
  const agents: Record<string, { child: ChildProcess; log: () => string }> = {};
  const agentLive = (user: string): RegExp => new RegExp(`"username":"${user}","port":(\\d+),"msg":"agent ready"`);

  let agentBase = 0;
  let registryStarts = 0;
  /** `t1c.exe registry` as root with no channel option: Windows' default channel. */
  function startRegistry(mode = 'ours'): { child: ChildProcess; log: () => string } {
    registryStarts += 1;
    return startExe('root', `registry-${registryStarts}`, ['registry', '--port', String(registryPort), '--mode', mode, '--agent-ports', `${agentBase}-${agentBase + 9}`, '--log-level', 'info']);
  }

  let agentStarts = 0;
  /** `t1c.exe api --registry [channel]` as `user`; no channel: Windows' default. */
  function startAgent(user: string, channel?: string): { child: ChildProcess; log: () => string } {
    agentStarts += 1;
    return startExe(user, `agent-${agentStarts}`, ['api', '--registry', ...(channel ? [channel] : []), '--http', '--no-jwt', '--no-pcsc', '--virtual-card', 'beid',
      '--virtual-card-data', windowsPath(join(dir, `${user}.json`)), '--log-level', 'warn']);
  }

  before(async () => {
    exe = (await ensureExecutables(['win-x64']))['win-x64'] ?? '';
    users = await OsUsers.create([A, B, C]);
    // Under /run: the throw-away root (where the users exist) bind-mounts it, so root, the users and this test see the same files.
    dir = mkdtempSync('/run/t1c-wine-registry-');
    chmodSync(dir, 0o755);
    copyFileSync(exe, join(dir, 't1c.exe'));
    chmodSync(join(dir, 't1c.exe'), 0o755);
    exe = join(dir, 't1c.exe');
    for (const user of ['root', A, B, C]) {
      const uid = user === 'root' ? 0 : users.user(user).uid;
      for (const sub of [user, join(user, 'tmp')]) {
        mkdirSync(join(dir, sub), { mode: 0o700 });
        chownSync(join(dir, sub), uid, uid);
      }
    }
    for (const [user, surname] of Object.entries(HOLDERS)) {
      writeFileSync(join(dir, `${user}.json`), JSON.stringify({ surname, firstNames: `${surname} Test`, birthDate: '03 MEI 2001', gender: 'F', nationalNumber: '01050312366', address: { streetAndNumber: 'Kerkstraat 1', zipCode: '2000', municipality: 'Antwerpen' } }), { mode: 0o644 });
    }
    // A prefix per user, made by that user (Wine refuses a prefix someone else owns).
    const made = await Promise.all(['root', A, B].map((user) => users.run(user, [WINE, 'winecfg', '-v', 'win10'], wineEnv(user))));
    for (const r of made) assert.equal(r.code, 0, r.stderr);
    registryPort = await freePort();
    // Windows' defaults: the channel on 127.0.0.1:51984 (the test's own network namespace), `--registry` alone.
    channelPort = 51984;
    agentBase = await freePort();
    registry = startRegistry();
    await waitForLog(registry, new RegExp(`t1c registry listening on http://127\\.0\\.0\\.1:${registryPort} \\(mode ours, agents on 127\\.0\\.0\\.1:${channelPort}\\)`));
    for (const user of [A, B]) agents[user] = startAgent(user);
    for (const user of [A, B]) {
      const [, port] = await waitForLog(registry, agentLive(user));
      agentPort[user] = Number(port);
      await waitForLog(agents[user] ?? registry, /t1c api listening on http:\/\/127\.0\.0\.1:\d+/);
    }
  });
  after(async () => {
    for (const p of started) await stop(p);
    // Wine's own processes (wineserver, services) of every prefix, then the users' leftovers.
    if (users) for (const user of ['root', A, B, C]) await users.run(user, [WINESERVER, '-k'], wineEnv(user)).catch(() => undefined);
    await users?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('each agent registered as its own Linux user, on a port of the range, and listens there', () => {
    assert.notEqual(agentPort[A], agentPort[B]);
    for (const user of [A, B]) assert.match(agents[user]?.log() ?? '', new RegExp(`t1c api listening on http://127\\.0\\.0\\.1:${agentPort[user]}`));
  });

  it('A reads A\'s card and B reads B\'s, through the Registry\'s one port', async () => {
    assert.equal(await surnameAt(A, `http://127.0.0.1:${registryPort}`), 'Alpha');
    assert.equal(await surnameAt(B, `http://127.0.0.1:${registryPort}`), 'Bravo');
  });

  it('B straight to A\'s agent port gets 403 104032; C, with no agent, gets 112020 from the Registry', async () => {
    const r = await users.curl(B, `http://127.0.0.1:${agentPort[A]}/v3/readers`);
    assert.equal(r.status, 403, r.body);
    assert.equal((JSON.parse(r.body) as { code: string }).code, '104032');
    const none = await users.curl(C, `http://127.0.0.1:${registryPort}/v3/readers`);
    assert.equal(none.status, 503, none.body);
    assert.equal((JSON.parse(none.body) as { code: string }).code, '112020');
  });

  it('C on the channel: registers only as C (whatever pid it names), cannot claim A\'s port, and A still reads A\'s card', async () => {
    const pidOfA = agents[A]?.child.pid ?? 1;
    // Re-registration naming A's port: nobody of C listens there, so C gets a fresh port, not A's.
    const claim = await rawChannel(C, channelPort, [JSON.stringify({ type: 'register', pid: pidOfA, port: agentPort[A] })]);
    const assigned = JSON.parse(claim[0] ?? '{}') as { type?: string; port?: number };
    assert.equal(assigned.type, 'assigned', claim.join('\n'));
    assert.notEqual(assigned.port, agentPort[A]);
    assert.notEqual(assigned.port, agentPort[B]);
    // "ready" on A's port: the socket table says A listens there, not C.
    const ready = await rawChannel(C, channelPort, [JSON.stringify({ type: 'register', pid: pidOfA }), JSON.stringify({ type: 'ready', port: agentPort[A] })]);
    assert.match(ready.join('\n'), new RegExp(`"type":"refused","reason":"port ${agentPort[A]} is not listened on by this user's agent"`));
    assert.equal(ready.at(-1), 'closed');
    await waitForLog(registry, new RegExp(`"username":"${C}"`));
    assert.doesNotMatch(registry.log(), new RegExp(`"username":"${C}","port":\\d+,"msg":"agent ready"`));
    assert.equal(await surnameAt(A, `http://127.0.0.1:${registryPort}`), 'Alpha');
  });

  it('A second agent of A on the channel is refused; malformed lines end the connection; the Registry keeps serving', async () => {
    const second = await rawChannel(A, channelPort, [JSON.stringify({ type: 'register', pid: 4242 })]);
    assert.deepEqual(second, [`{"type":"refused","reason":"an agent of ${A} is already registered"}`, 'closed']);
    for (const line of ['not json', '{"type":"register"}', '{"type":"become-root"}', 'x'.repeat(5000)]) {
      assert.deepEqual(await rawChannel(C, channelPort, [line]), ['closed'], line.slice(0, 40));
    }
    assert.equal(await surnameAt(B, `http://127.0.0.1:${registryPort}`), 'Bravo');
  });

  it('a second t1c.exe registry on the (default) channel port exits with an error naming the port; the first keeps serving', async () => {
    const other = startExe('root', 'registry-second', ['registry', '--port', String(await freePort()), '--log-level', 'warn']);
    assert.notEqual(await exited(other), 0);
    assert.match(other.log(), new RegExp(`another Registry \\(or another program\\) has the channel port 127\\.0\\.0\\.1:${channelPort}`));
    assert.equal(await surnameAt(A, `http://127.0.0.1:${registryPort}`), 'Alpha');
  });

  it('an agent does not register with a "Registry" that another user runs on a channel port (a squatter)', async () => {
    const squatPort = await freePort();
    // B listens on the port and writes down whatever an agent would send it.
    const heard = join(dir, B, 'squatter-heard.txt');
    const squatter = users.spawn(B, [process.execPath, '-e', `const fs=require('fs');fs.writeFileSync(${JSON.stringify(heard)},'');require('net').createServer((s)=>{s.on('data',(d)=>fs.appendFileSync(${JSON.stringify(heard)},d));s.write(JSON.stringify({type:'assigned',port:${agentPort[B] ?? 1}})+'\\n')}).listen(${squatPort},'127.0.0.1',()=>console.log('up'))`]);
    await new Promise<void>((resolve) => squatter.stdout?.once('data', () => resolve()));
    const fooled = startAgent(A, `127.0.0.1:${squatPort}`);
    try {
      const uidB = users.user(B).uid;
      await waitForLog(fooled, new RegExp(`127\\.0\\.0\\.1:${squatPort} is not a Registry this machine's administrator set up \\(it runs as uid:${uidB}, not SYSTEM, LocalService, NetworkService, root or this user\\); not registering`));
      assert.equal(readFileSync(heard, 'utf8'), '', 'the agent sent the squatter nothing');
      assert.doesNotMatch(fooled.log(), /t1c api listening/);
    } finally {
      await stop(fooled);
      squatter.kill('SIGKILL');
    }
  });

  it('an agent that dies leaves the list; started again it registers again and A reads A\'s card', async () => {
    const agentA = agents[A];
    assert.ok(agentA);
    await stop(agentA);
    await waitForLog(registry, new RegExp(`"username":"${A}","port":${agentPort[A]},"msg":"agent left"`));
    const none = await users.curl(A, `http://127.0.0.1:${registryPort}/v3/readers`);
    assert.equal((JSON.parse(none.body) as { code: string }).code, '112020');
    const readyLines = (): number => [...registry.log().matchAll(new RegExp(agentLive(A).source, 'g'))].length;
    const before = readyLines();
    agents[A] = startAgent(A);
    for (let i = 0; i < 1200 && readyLines() === before; i++) await new Promise((resolve) => setTimeout(resolve, 250));
    assert.equal(readyLines(), before + 1, registry.log());
    agentPort[A] = Number([...registry.log().matchAll(new RegExp(agentLive(A).source, 'g'))].at(-1)?.[1]);
    assert.equal(await surnameAt(A, `http://127.0.0.1:${registryPort}`), 'Alpha');
  });

  it('a restarted Registry gets both agents back by themselves, on their ports', async () => {
    await stop(registry);
    registry = startRegistry();
    for (const user of [A, B]) await waitForLog(registry, new RegExp(`"username":"${user}","port":${agentPort[user]},"msg":"agent registered again"`));
    assert.equal(await surnameAt(A, `http://127.0.0.1:${registryPort}`), 'Alpha');
    assert.equal(await surnameAt(B, `http://127.0.0.1:${registryPort}`), 'Bravo');
  });

  it('mode optional-consent: /v3/agents lists the caller\'s own agent only, named by its Linux login (Wine has no getent)', async () => {
    await stop(registry);
    registry = startRegistry('optional-consent');
    for (const user of [A, B]) await waitForLog(registry, new RegExp(`"username":"${user}","port":${agentPort[user]},"msg":"agent registered again"`));
    for (const user of [A, B]) {
      const r = await users.curl(user, `http://127.0.0.1:${registryPort}/v3/agents`);
      assert.equal(r.status, 200, r.body);
      const listed = (JSON.parse(r.body) as { data: { username: string; apiPort: string }[] }).data;
      assert.deepEqual(listed.map((a) => [a.username, a.apiPort]), [[user, String(agentPort[user])]]);
    }
    const none = await users.curl(C, `http://127.0.0.1:${registryPort}/v3/agents`);
    assert.deepEqual((JSON.parse(none.body) as { data: unknown[] }).data, []);
  });
});
