// Run by windows-api-wine.test.ts: bundled and started with the Windows node.exe under Wine, it
// calls the real Win32 code of the OS-user check (koffi prototypes included) and writes what it
// saw to the file named by its one argument (Node under Wine cannot write to a pipe).
import { writeFileSync } from 'node:fs';
import { createServer, connect, type AddressInfo } from 'node:net';
import { windowsAccountName } from '../../src/os/peer-user/windows-account-name.js';
import { parseTcpTable, win32Api, windowsPeerUserLookup } from '../../src/os/peer-user/windows-tcp-table.js';

async function main(out: string): Promise<void> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const client = connect(port, '127.0.0.1');
  await new Promise<void>((resolve) => client.once('connect', resolve));
  const api = await win32Api();
  const rows = parseTcpTable(api.tcpTable('ipv4'), 'ipv4');
  const sid = api.userOfPid(process.pid);
  const lookup = windowsPeerUserLookup(api);
  const result = {
    pid: process.pid,
    rows: rows.length,
    listenerPid: rows.find((r) => r.state === 2 && r.local.port === port)?.pid,
    sid,
    // No such process: the token path fails, the process-list fallback runs and finds nothing.
    missing: api.userOfPid(0x7ffffffc) ?? null,
    fromProcessList: api.userFromProcessList(process.pid),
    name: sid ? await windowsAccountName(sid) : undefined,
    listener: await lookup.ownerOfListener(port),
    client: await lookup.ownerOf({ server: { address: '127.0.0.1', port }, client: { address: client.localAddress ?? '', port: client.localPort ?? 0 } }),
    current: lookup.currentUser(),
  };
  writeFileSync(out, JSON.stringify(result));
  client.destroy();
  server.close();
}

main(process.argv[2] ?? 'probe.json').catch((error: unknown) => {
  writeFileSync(process.argv[2] ?? 'probe.json', JSON.stringify({ error: String(error instanceof Error ? error.stack : error) }));
  process.exitCode = 1;
});
