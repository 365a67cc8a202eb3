import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { canonicalAddress } from '../src/os/peer-user/address.js';
import { ownerInRows, parseProcNetTcp } from '../src/os/peer-user/linux-proc-net-tcp.js';
import { ownerInLsof, parseLsofFields } from '../src/os/peer-user/macos-lsof.js';
import { owningPid, parseTcpTable, windowsPeerUserLookup } from '../src/os/peer-user/windows-tcp-table.js';
import { uidOf } from '../src/os/peer-user/types.js';
import { realUidFromStatus, runningUnderWine, winePeerUserLookup } from '../src/os/peer-user/wine.js';

// 127.0.0.1:51983 (CB0F) accepted a connection from 127.0.0.1:41652 (A2B4) of uid 1001; the
// server's own row (uid 0) must not be mistaken for the peer's. Captured format, x86 (little-endian).
const PROC_NET_TCP = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:CB0F 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1111 1 0000000000000000 100 0 0 10 0
   1: 0100007F:CB0F 0100007F:A2B4 01 00000000:00000000 00:00000000 00000000     0        0 2222 1 0000000000000000 20 4 30 10 -1
   2: 0100007F:A2B4 0100007F:CB0F 01 00000000:00000000 00:00000000 00000000  1001        0 3333 1 0000000000000000 20 4 30 10 -1
`;
// [::1]:51983 ← [::1]:40000 (9C40) of uid 1002, and an IPv4-mapped peer 127.0.0.1:40001 (9C41) of uid 1003.
const PROC_NET_TCP6 = `  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000000000000000000001000000:CB0F 00000000000000000000000001000000:9C40 01 00000000:00000000 00:00000000 00000000     0        0 4444 1 0000000000000000 20 4 30 10 -1
   1: 00000000000000000000000001000000:9C40 00000000000000000000000001000000:CB0F 01 00000000:00000000 00:00000000 00000000  1002        0 5555 1 0000000000000000 20 4 30 10 -1
   2: 0000000000000000FFFF00000100007F:9C41 0000000000000000FFFF00000100007F:CB0F 01 00000000:00000000 00:00000000 00000000  1003        0 6666 1 0000000000000000 20 4 30 10 -1
`;

describe('peer user: Linux /proc/net/tcp{,6}', () => {
  it('finds the peer row (not our own end) and its uid, IPv4', () => {
    const rows = parseProcNetTcp(PROC_NET_TCP, true);
    assert.equal(rows.length, 3);
    assert.deepEqual(rows[2]?.local, { address: '127.0.0.1', port: 41652 });
    assert.equal(ownerInRows(rows, { server: { address: '127.0.0.1', port: 51983 }, client: { address: '127.0.0.1', port: 41652 } }), 1001);
  });
  it('IPv6 loopback and IPv4-mapped peers as Node spells them', () => {
    const rows = parseProcNetTcp(PROC_NET_TCP6, true);
    assert.equal(ownerInRows(rows, { server: { address: '::1', port: 51983 }, client: { address: '::1', port: 40000 } }), 1002);
    assert.equal(ownerInRows(rows, { server: { address: '::ffff:127.0.0.1', port: 51983 }, client: { address: '::ffff:127.0.0.1', port: 40001 } }), 1003);
  });
  it('an unknown connection has no owner; a malformed table is an error, not a guess', () => {
    const rows = parseProcNetTcp(PROC_NET_TCP, true);
    assert.equal(ownerInRows(rows, { server: { address: '127.0.0.1', port: 51983 }, client: { address: '127.0.0.1', port: 1 } }), undefined);
    assert.throws(() => parseProcNetTcp('header\n 0: XYZ:CB0F 00000000:0000 0A 0 0 0 0 0 1 0', true), /not a \/proc\/net\/tcp/);
  });
  it('canonical addresses', () => {
    assert.equal(canonicalAddress('::ffff:127.0.0.1'), '127.0.0.1');
    assert.equal(canonicalAddress('0:0:0:0:0:0:0:1'), '::1');
    assert.equal(uidOf('uid:12'), 12);
    assert.equal(uidOf('S-1-5-21-1'), undefined);
  });
});

// GetExtendedTcpTable(AF_INET, TCP_TABLE_OWNER_PID_ALL) bytes: 2 rows of
// {state, localAddr, localPort, remoteAddr, remotePort, pid}; ports big-endian in the low word.
const WIN_TCP4 = Buffer.from([
  '02000000',
  '05000000', '7f000001', 'cb0f0000', '7f000001', 'a2b40000', 'd0070000', // server end, pid 2000
  '05000000', '7f000001', 'a2b40000', '7f000001', 'cb0f0000', 'b80b0000', // client end, pid 3000
].join(''), 'hex');
const WIN_TCP6 = Buffer.from([
  '01000000',
  '00000000000000000000000000000001', '00000000', '9c400000',
  '00000000000000000000000000000001', '00000000', 'cb0f0000', '05000000', 'a00f0000', // pid 4000
].join(''), 'hex');

describe('peer user: Windows under Wine (the Linux socket table through Wine\'s drive)', () => {
  it('answers from the Linux root it is given: the peer\'s uid, and our own real uid from /proc/self/status', async () => {
    const root = mkdtempSync(join(tmpdir(), 't1c-wine-root-'));
    try {
      mkdirSync(join(root, 'proc', 'net'), { recursive: true });
      mkdirSync(join(root, 'proc', 'self'));
      writeFileSync(join(root, 'proc', 'net', 'tcp'), PROC_NET_TCP);
      writeFileSync(join(root, 'proc', 'net', 'tcp6'), PROC_NET_TCP6);
      writeFileSync(join(root, 'proc', 'self', 'status'), 'Name:\tt1c.exe\nUid:\t1001\t1001\t1001\t1001\nGid:\t1001\t1001\t1001\t1001\n');
      const lookup = winePeerUserLookup(`${root}/`);
      assert.equal(await lookup.ownerOf({ server: { address: '127.0.0.1', port: 51983 }, client: { address: '127.0.0.1', port: 41652 } }), 'uid:1001');
      assert.equal(await lookup.ownerOf({ server: { address: '127.0.0.1', port: 51983 }, client: { address: '127.0.0.1', port: 1 } }), undefined);
      assert.equal(lookup.currentUser(), 'uid:1001');
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
  it('reads the real uid, not the effective one; a status without it is unknown', () => {
    assert.equal(realUidFromStatus('Uid:\t1000\t0\t0\t0\n'), 1000);
    assert.equal(realUidFromStatus('Name:\tx\n'), undefined);
  });
  it('Linux is not Wine: the check asks ntdll, not the file system', async () => {
    assert.equal(await runningUnderWine(), false);
  });
});

describe('peer user: Windows GetExtendedTcpTable', () => {
  it('parses IPv4 and IPv6 owner-PID tables and picks the client row', () => {
    const rows = parseTcpTable(WIN_TCP4, 'ipv4');
    assert.deepEqual(rows[1], { state: 5, local: { address: '127.0.0.1', port: 41652 }, remote: { address: '127.0.0.1', port: 51983 }, pid: 3000 });
    assert.equal(owningPid(rows, { server: { address: '127.0.0.1', port: 51983 }, client: { address: '127.0.0.1', port: 41652 } }), 3000);
    const rows6 = parseTcpTable(WIN_TCP6, 'ipv6');
    assert.equal(owningPid(rows6, { server: { address: '::1', port: 51983 }, client: { address: '::1', port: 40000 } }), 4000);
  });
  it('a table whose count does not fit its bytes is refused', () => {
    assert.throws(() => parseTcpTable(Buffer.from('09000000', 'hex'), 'ipv4'), /do not fit/);
  });
  it('PID → SID through the API seam; a token we may not open means unknown', async () => {
    const lookup = windowsPeerUserLookup({
      tcpTable: (family) => (family === 'ipv4' ? WIN_TCP4 : WIN_TCP6),
      userOfPid: (pid) => (pid === 3000 ? 'S-1-5-21-1-2-3-1001' : undefined),
    });
    assert.equal(await lookup.ownerOf({ server: { address: '127.0.0.1', port: 51983 }, client: { address: '127.0.0.1', port: 41652 } }), 'S-1-5-21-1-2-3-1001');
    assert.equal(await lookup.ownerOf({ server: { address: '::1', port: 51983 }, client: { address: '::1', port: 40000 } }), undefined);
  });
});

// `lsof -nP -iTCP@127.0.0.1:41652 -F pun` as macOS prints it: both ends are listed when the
// caller may see both processes; the row whose name starts at the peer is the one.
const LSOF = 'p812\nu0\nn127.0.0.1:51983->127.0.0.1:41652\np901\nu501\nn127.0.0.1:41652->127.0.0.1:51983\n';

describe('peer user: macOS lsof', () => {
  it('parses lsof fields and finds the owner of the client end', () => {
    const sockets = parseLsofFields(LSOF);
    assert.equal(sockets.length, 2);
    assert.equal(ownerInLsof(sockets, { server: { address: '127.0.0.1', port: 51983 }, client: { address: '127.0.0.1', port: 41652 } }), 501);
    assert.equal(ownerInLsof(sockets, { server: { address: '127.0.0.1', port: 51983 }, client: { address: '127.0.0.1', port: 9 } }), undefined);
  });
});
