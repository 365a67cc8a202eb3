import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { channelTrusted, registryTrusted } from '../src/registry/agent-link.js';
import { parseProcNetTcp } from '../src/os/peer-user/linux-proc-net-tcp.js';
import { windowsPeerUserLookup } from '../src/os/peer-user/windows-tcp-table.js';
import { parseRegistryChannel } from '../src/registry/channel-address.js';
import { MACHINE_ACCOUNTS, tcpRegistryTrusted } from '../src/registry/tcp-registry-trust.js';
import { nameInPasswd } from '../src/registry/username.js';
import { parseExcludedPortRanges, parsePortRange, pickAgentPort } from '../src/registry/port-range.js';
import { registryChannel, registrySettings } from '../src/registry/settings.js';
import { startRegistry, type RunningRegistry } from '../src/registry/start.js';
import { freePort } from './helpers/free-port.js';

/** A raw client of the Registry's Unix socket: lines out, parsed lines in, and whether it was closed. */
class RawAgent {
  private buffered = '';
  private readonly waiting: ((line: unknown) => void)[] = [];
  private readonly lines: unknown[] = [];
  readonly closed: Promise<void>;

  private constructor(readonly socket: Socket) {
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      this.buffered += chunk;
      let i = this.buffered.indexOf('\n');
      while (i >= 0) {
        const line: unknown = JSON.parse(this.buffered.slice(0, i));
        this.buffered = this.buffered.slice(i + 1);
        const next = this.waiting.shift();
        if (next) next(line);
        else this.lines.push(line);
        i = this.buffered.indexOf('\n');
      }
    });
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
  }

  /** A Unix socket path, or a port on 127.0.0.1 (the TCP channel). */
  static open(at: string | number): Promise<RawAgent> {
    return new Promise((resolve, reject) => {
      const socket = typeof at === 'number' ? connect(at, '127.0.0.1', () => resolve(new RawAgent(socket))) : connect(at, () => resolve(new RawAgent(socket)));
      socket.once('error', reject);
    });
  }

  send(text: string): void {
    this.socket.write(`${text}\n`);
  }

  next(): Promise<unknown> {
    const line = this.lines.shift();
    return line !== undefined ? Promise.resolve(line) : new Promise((resolve) => this.waiting.push(resolve));
  }
}

describe('registry: the agent channel', () => {
  let dir: string;
  let registry: RunningRegistry;
  const socketPath = (): string => join(dir, 'sock', 'registry.sock');
  const range = { from: 0, to: 0 };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 't1c-registry-channel-'));
    // A range of 3 ports that are free now, so "the range is full" is reachable.
    const base = await freePort();
    range.from = base;
    range.to = base + 2;
    registry = await startRegistry(registrySettings({ port: 0, socketPath: socketPath(), agentPorts: { ...range }, logLevel: 'silent' }));
  });
  after(async () => {
    await registry?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a second Registry on the same socket refuses to start and leaves the first one working', async () => {
    await assert.rejects(startRegistry(registrySettings({ port: 0, socketPath: socketPath(), logLevel: 'silent' })), /another Registry is running/);
    const agent = await RawAgent.open(socketPath());
    agent.socket.destroy();
    await agent.closed;
  });

  it('the socket is open to every user (who they are comes from the kernel)', async () => {
    const { statSync } = await import('node:fs');
    assert.equal(statSync(socketPath()).mode & 0o777, 0o666);
  });

  it('a line that is not JSON, or not a known message, ends the connection', async () => {
    for (const line of ['not json', '{"type":"register"}', '{"type":"register","pid":1,"user":"someone-else","extra":1,"port":"x"}', '{"type":"become-root"}']) {
      const agent = await RawAgent.open(socketPath());
      agent.send(line);
      await agent.closed;
    }
    assert.deepEqual(registry.agents(), []);
  });

  it('registering gives a port of the range; a second agent of the same user is refused', async () => {
    const first = await RawAgent.open(socketPath());
    first.send(JSON.stringify({ type: 'register', pid: process.pid }));
    const assigned = await first.next() as { type: string; port: number };
    assert.equal(assigned.type, 'assigned');
    assert.ok(assigned.port >= range.from && assigned.port <= range.to);
    const second = await RawAgent.open(socketPath());
    second.send(JSON.stringify({ type: 'register', pid: process.pid }));
    assert.deepEqual(await second.next(), { type: 'refused', reason: 'an agent of root is already registered' });
    await second.closed;
    first.socket.destroy();
    await first.closed;
  });

  it('"ready" on a port the agent does not listen on is refused, and the agent dropped', async () => {
    const agent = await RawAgent.open(socketPath());
    agent.send(JSON.stringify({ type: 'register', pid: process.pid }));
    const { port } = await agent.next() as { port: number };
    agent.send(JSON.stringify({ type: 'ready', port }));
    assert.equal((await agent.next() as { type: string }).type, 'refused');
    await agent.closed;
    assert.deepEqual(registry.agents(), []);
  });

  it('an agent listening on its port is listed; closing the connection drops it', async () => {
    const agent = await RawAgent.open(socketPath());
    agent.send(JSON.stringify({ type: 'register', pid: process.pid }));
    const { port } = await agent.next() as { port: number };
    const server: Server = createServer();
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', () => resolve()));
    try {
      agent.send(JSON.stringify({ type: 'ready', port }));
      assert.deepEqual(await agent.next(), { type: 'live', port });
      assert.deepEqual(registry.agents().map((a) => a.apiPort), [String(port)]);
      agent.socket.destroy();
      await agent.closed;
      // The Registry drops it on the close event it gets at the same time as we do.
      const dropped = await RawAgent.open(socketPath()).then(async (probe) => {
        probe.send(JSON.stringify({ type: 'register', pid: process.pid }));
        const answer = await probe.next() as { type: string };
        probe.socket.destroy();
        await probe.closed;
        return answer.type;
      });
      assert.equal(dropped, 'assigned', 'a new agent of the same user may register: the old one is gone');
      assert.deepEqual(registry.agents(), []);
    } finally {
      server.close();
    }
  });

  it('claiming a port on re-registration that this user does not listen on gets a fresh port instead', async () => {
    const agent = await RawAgent.open(socketPath());
    agent.send(JSON.stringify({ type: 'register', pid: process.pid, port: range.to }));
    const answer = await agent.next() as { type: string };
    assert.equal(answer.type, 'assigned', 'not "accepted": nobody listens there');
    agent.socket.destroy();
    await agent.closed;
  });
});


describe('registry: the TCP channel (Windows\' transport), run on Linux with the Linux socket table', () => {
  let registry: RunningRegistry;
  let channelPort = 0;
  const range = { from: 0, to: 0 };

  before(async () => {
    channelPort = await freePort();
    range.from = await freePort();
    range.to = range.from;
    registry = await startRegistry(registrySettings({ port: 0, channelPort, socketPath: '/nonexistent/never-made.sock', agentPorts: { ...range }, logLevel: 'silent' }));
  });
  after(async () => {
    await registry?.close();
  });

  it('a second Registry on the same channel port refuses to start, naming the port; the first keeps working', async () => {
    await assert.rejects(startRegistry(registrySettings({ port: 0, channelPort, logLevel: 'silent' })),
      new RegExp(`another Registry \\(or another program\\) has the channel port 127\\.0\\.0\\.1:${channelPort}`));
    const agent = await RawAgent.open(channelPort);
    agent.send(JSON.stringify({ type: 'register', pid: process.pid }));
    assert.equal((await agent.next() as { type: string }).type, 'assigned');
    agent.socket.destroy();
    await agent.closed;
  });

  it('listens on 127.0.0.1 only (the socket table\'s listening row)', async () => {
    const { readFileSync } = await import('node:fs');
    const rows = ['tcp', 'tcp6'].flatMap((f) => parseProcNetTcp(readFileSync(`/proc/net/${f}`, 'utf8')));
    const listening = rows.filter((r) => r.state === 0x0a && r.local.port === channelPort).map((r) => r.local.address);
    assert.deepEqual(listening, ['127.0.0.1']);
  });

  it('a line that is not JSON, not a known message, or too long ends the connection; nobody is listed', async () => {
    for (const line of ['not json', '{"type":"register"}', '{"type":"register","pid":1,"user":"S-1-5-18"', '{"type":"become-root"}', 'x'.repeat(5000)]) {
      const agent = await RawAgent.open(channelPort);
      agent.send(line);
      await agent.closed;
    }
    assert.deepEqual(registry.agents(), []);
  });

  it('the agent is who the socket table says (root here), whatever it claims; a second of the same user is refused', async () => {
    const first = await RawAgent.open(channelPort);
    first.send(JSON.stringify({ type: 'register', pid: 1 }));
    const assigned = await first.next() as { type: string; port: number };
    assert.deepEqual(assigned, { type: 'assigned', port: range.from, registryPort: registry.port }, 'the agent learns the well-known port its Host headers carry');
    const second = await RawAgent.open(channelPort);
    second.send(JSON.stringify({ type: 'register', pid: process.pid }));
    assert.deepEqual(await second.next(), { type: 'refused', reason: 'an agent of root is already registered' });
    await second.closed;
    first.send(JSON.stringify({ type: 'ready', port: assigned.port }));
    assert.equal((await first.next() as { type: string }).type, 'refused', 'nobody listens on the port: not live');
    await first.closed;
    assert.deepEqual(registry.agents(), []);
  });
});

/** One MIB_TCPROW_OWNER_PID: state, local address and port, remote address and port, owning PID. */
function tcpRow(state: number, local: number, remote: number, pid: number): Buffer {
  const row = Buffer.alloc(24);
  row.writeUInt32LE(state, 0);
  row.writeUInt32BE(0x7f000001, 4);
  row.writeUInt16BE(local, 8);
  row.writeUInt32BE(remote === 0 ? 0 : 0x7f000001, 12);
  row.writeUInt16BE(remote, 16);
  row.writeUInt32LE(pid, 20);
  return row;
}
const tcpTable = (rows: readonly Buffer[]): Buffer => Buffer.concat([Buffer.from([rows.length, 0, 0, 0]), ...rows]);
const LISTEN = 2;
const ESTABLISHED = 5;

describe('registry: consent over the TCP channel (the same messages as the Unix socket)', () => {
  it('the clipboard check goes to the agent over TCP and its yes makes the consent; its no does not', async () => {
    const channelPort = await freePort();
    const agentPort = await freePort();
    const ORIGIN = 'https://app.example.org';
    const registry = await startRegistry(registrySettings({ port: 0, mode: 'consent', channelPort, agentPorts: { from: agentPort, to: agentPort }, allowOrigins: [ORIGIN], logLevel: 'silent' }));
    const api: Server = createServer();
    const agent = await RawAgent.open(channelPort);
    try {
      agent.send(JSON.stringify({ type: 'register', pid: process.pid }));
      assert.deepEqual(await agent.next(), { type: 'assigned', port: agentPort, registryPort: registry.port });
      await new Promise<void>((resolve) => api.listen(agentPort, '127.0.0.1', () => resolve()));
      agent.send(JSON.stringify({ type: 'ready', port: agentPort }));
      assert.deepEqual(await agent.next(), { type: 'live', port: agentPort });
      const consent = (codeWord: string): Promise<Response> => fetch(`${registry.url}/v3/consent`, {
        method: 'POST', headers: { 'content-type': 'application/json', origin: ORIGIN }, body: JSON.stringify({ codeWord }),
      });
      for (const [codeWord, matches, state] of [['word-1', true, 'APPROVED'], ['word-2', false, 'REQUIRED']] as const) {
        const answer = consent(codeWord);
        const check = await agent.next() as { type: string; id: number; codeWord: string };
        assert.equal(check.type, 'clipboard-check');
        assert.equal(check.codeWord, codeWord);
        agent.send(JSON.stringify({ type: 'clipboard-answer', id: check.id, matches }));
        const body = await (await answer).json() as { data: { consentState: string } };
        assert.equal(body.data.consentState, state, codeWord);
      }
    } finally {
      agent.socket.destroy();
      api.close();
      await registry.close();
    }
  });
});

describe('registry: the Windows channel decisions from a recorded GetExtendedTcpTable', () => {
  const CHANNEL = 51984;
  const AGENT_END = 50000;
  const ANN = 'S-1-5-21-1-2-3-1001';
  const BOB = 'S-1-5-21-1-2-3-1002';
  /** The Registry (`registryPid`) on the channel port, with one agent (pid 5678, Ann) connected. */
  const lookupWith = (registryPid: number, users: Record<number, string>): ReturnType<typeof windowsPeerUserLookup> => windowsPeerUserLookup({
    tcpTable: (family) => (family === 'ipv4' ? tcpTable([
      tcpRow(LISTEN, CHANNEL, 0, registryPid),
      tcpRow(ESTABLISHED, CHANNEL, AGENT_END, registryPid),
      tcpRow(ESTABLISHED, AGENT_END, CHANNEL, 5678),
    ]) : tcpTable([])),
    userOfPid: (pid) => users[pid],
  });
  // Each side asks for the far end of its own socket.
  const registrySide = { server: { address: '127.0.0.1', port: CHANNEL }, client: { address: '127.0.0.1', port: AGENT_END } };
  const agentSide = { server: { address: '127.0.0.1', port: AGENT_END }, client: { address: '127.0.0.1', port: CHANNEL } };

  it('the Registry names the agent by its PID\'s token; the agent trusts a SYSTEM Registry', async () => {
    const lookup = lookupWith(1234, { 1234: 'S-1-5-18', 5678: ANN });
    assert.equal(await lookup.ownerOf(registrySide), ANN);
    const registry = await lookup.ownerOf(agentSide);
    assert.equal(registry, 'S-1-5-18');
    assert.equal(channelTrusted({ kind: 'tcp', port: CHANNEL }, registry ?? '', ANN), true);
    assert.equal(await lookup.ownerOfListener(CHANNEL), 'S-1-5-18');
  });
  it('the agent refuses a channel port held by another user, or by a process it cannot name', async () => {
    const squatted = await lookupWith(999, { 999: BOB, 5678: ANN }).ownerOf(agentSide);
    assert.equal(squatted, BOB);
    assert.equal(tcpRegistryTrusted(squatted, ANN), false);
    assert.equal(tcpRegistryTrusted(await lookupWith(999, { 5678: ANN }).ownerOf(agentSide), ANN), false);
  });
  it('an agent whose process cannot be named is not registered (no owner, no agent)', async () => {
    assert.equal(await lookupWith(1234, { 1234: 'S-1-5-18' }).ownerOf(registrySide), undefined);
  });
  it('Windows serves the TCP channel by default; elsewhere the socket unless --channel-port', () => {
    assert.deepEqual(registryChannel(registrySettings({}), 'win32'), { kind: 'tcp', port: 51984 });
    assert.deepEqual(registryChannel(registrySettings({ channelPort: 52001 }), 'win32'), { kind: 'tcp', port: 52001 });
    assert.deepEqual(registryChannel(registrySettings({}), 'linux'), { kind: 'unix', path: '/run/t1c/registry.sock' });
    assert.deepEqual(registryChannel(registrySettings({ channelPort: 52001 }), 'linux'), { kind: 'tcp', port: 52001 });
    for (const bad of [0, 65536, 1.5]) assert.throws(() => registrySettings({ channelPort: bad }), Error, String(bad));
  });
});

describe('registry: ports and trust', () => {
  it('a TCP Registry is trusted only when a machine account or the agent\'s own user owns its end', () => {
    for (const account of MACHINE_ACCOUNTS) assert.equal(tcpRegistryTrusted(account, 'S-1-5-21-1-2-3-1001'), true, account);
    assert.equal(tcpRegistryTrusted('S-1-5-21-1-2-3-1001', 'S-1-5-21-1-2-3-1001'), true, 'a Registry of one\'s own');
    for (const squatter of ['S-1-5-21-1-2-3-1002', 'uid:1001', 'S-1-5-32-544', 'unknown', undefined]) assert.equal(tcpRegistryTrusted(squatter, 'uid:1000'), false, String(squatter));
    assert.equal(channelTrusted({ kind: 'tcp', port: 51984 }, 'uid:0', 'uid:1000'), true);
    assert.equal(channelTrusted({ kind: 'tcp', port: 51984 }, 'uid:1001', 'uid:1000'), false);
    assert.equal(channelTrusted({ kind: 'unix', path: '/nonexistent/x.sock' }, 'S-1-5-18', 'uid:1000'), false, 'a SID is no uid: never a Unix Registry');
  });
  it('parses the channel: an absolute socket path or 127.0.0.1:PORT, nothing else', () => {
    assert.deepEqual(parseRegistryChannel('/run/t1c/registry.sock'), { kind: 'unix', path: '/run/t1c/registry.sock' });
    assert.deepEqual(parseRegistryChannel('127.0.0.1:51984'), { kind: 'tcp', port: 51984 });
    for (const bad of ['registry.sock', '127.0.0.1:0', '127.0.0.1:65536', '192.168.1.2:51984', '[::1]:51984', 'localhost:51984', '127.0.0.1', '']) {
      assert.throws(() => parseRegistryChannel(bad), /registry channel: expected an absolute socket path or 127\.0\.0\.1:PORT/, bad);
    }
  });
  it('names a uid from passwd text (Wine has no getent); an unknown uid has no name', () => {
    const passwd = 'root:x:0:0:root:/root:/bin/bash\nann:x:1000:1000::/home/ann:/bin/sh\n';
    assert.equal(nameInPasswd(passwd, 1000), 'ann');
    assert.equal(nameInPasswd(passwd, 0), 'root');
    assert.equal(nameInPasswd(passwd, 1001), undefined);
    assert.equal(nameInPasswd('', 0), undefined);
  });
  it('parses port ranges and refuses bad ones', () => {
    assert.deepEqual(parsePortRange('52100-52299'), { from: 52100, to: 52299 });
    for (const bad of ['52100', '52299-52100', '80-90', '52100-70000', 'a-b']) assert.throws(() => parsePortRange(bad), /agent ports/);
  });
  it('parses netsh excluded port ranges and skips them when picking', async () => {
    const netsh = '\r\nProtocol tcp Port Exclusion Ranges\r\n\r\nStart Port    End Port\r\n----------    --------\r\n     50000       50059     *\r\n     52100       52199\r\n\r\n* - Administered port exclusions.\r\n';
    const excluded = parseExcludedPortRanges(netsh);
    assert.deepEqual(excluded, [{ from: 50000, to: 50059 }, { from: 52100, to: 52199 }]);
    const port = await pickAgentPort({ from: 52150, to: 52299 }, new Set([52200]), excluded);
    assert.ok(port !== undefined && port > 52200, String(port));
  });
  it('an agent trusts only a Registry socket in a directory that only root or the Registry user can write', () => {
    const dir = mkdtempSync(join(tmpdir(), 't1c-registry-trust-'));
    try {
      for (const [mode, trusted] of [[0o755, true], [0o777, false], [0o1777, false], [0o775, false]] as const) {
        const sub = join(dir, `d${mode.toString(8)}`);
        mkdirSync(sub);
        chmodSync(sub, mode);
        const path = join(sub, 's.sock');
        const server = createServer().listen(path);
        try {
          assert.equal(registryTrusted(path, 0, 1000), trusted, mode.toString(8));
        } finally {
          server.close();
        }
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
  it('settings: an unknown mode or an inverted range is refused', () => {
    assert.throws(() => registrySettings({ mode: 'everyone' as never }));
    assert.throws(() => registrySettings({ agentPorts: { from: 53000, to: 52000 } }));
  });
});
