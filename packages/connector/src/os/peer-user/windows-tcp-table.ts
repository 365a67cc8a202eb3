import { addressFromBytes, sameEndpoint } from './address.js';
import type { LoopbackConnection, OsUserId, PeerUserLookup, TcpEndpoint } from './types.js';

/** One row of GetExtendedTcpTable(TCP_TABLE_OWNER_PID_ALL). */
export interface WindowsTcpRow {
  readonly local: TcpEndpoint;
  readonly remote: TcpEndpoint;
  readonly state: number;
  readonly pid: number;
}

const AF_INET = 2;
const AF_INET6 = 23;
const TCP_TABLE_OWNER_PID_ALL = 5;
const ROW4 = 24; // MIB_TCPROW_OWNER_PID: state, localAddr, localPort, remoteAddr, remotePort, pid
const ROW6 = 56; // MIB_TCP6ROW_OWNER_PID: localAddr[16], scope, port, remoteAddr[16], scope, port, state, pid

/** Ports sit in the low 16 bits of a DWORD, in network byte order. */
function port(table: Buffer, offset: number): number {
  return table.readUInt16BE(offset);
}

/** Parses a MIB_TCPTABLE_OWNER_PID (`family` AF_INET) or MIB_TCP6TABLE_OWNER_PID (AF_INET6) buffer. */
export function parseTcpTable(table: Buffer, family: 'ipv4' | 'ipv6'): WindowsTcpRow[] {
  if (table.length < 4) throw new Error('TCP table: shorter than its entry count');
  const count = table.readUInt32LE(0);
  const size = family === 'ipv4' ? ROW4 : ROW6;
  if (4 + count * size > table.length) throw new Error(`TCP table: ${count} entries do not fit in ${table.length} bytes`);
  const rows: WindowsTcpRow[] = [];
  for (let i = 0; i < count; i += 1) {
    const o = 4 + i * size;
    if (family === 'ipv4') {
      rows.push({
        state: table.readUInt32LE(o),
        local: { address: addressFromBytes(table.subarray(o + 4, o + 8)), port: port(table, o + 8) },
        remote: { address: addressFromBytes(table.subarray(o + 12, o + 16)), port: port(table, o + 16) },
        pid: table.readUInt32LE(o + 20),
      });
    } else {
      rows.push({
        local: { address: addressFromBytes(table.subarray(o, o + 16)), port: port(table, o + 20) },
        remote: { address: addressFromBytes(table.subarray(o + 24, o + 40)), port: port(table, o + 44) },
        state: table.readUInt32LE(o + 48),
        pid: table.readUInt32LE(o + 52),
      });
    }
  }
  return rows;
}

export function owningPid(rows: readonly WindowsTcpRow[], connection: LoopbackConnection): number | undefined {
  return rows.find((r) => sameEndpoint(r.local, connection.client) && sameEndpoint(r.remote, connection.server))?.pid;
}

/** The Win32 calls behind the lookup; separate so the parsing above is testable anywhere. */
export interface WindowsApi {
  tcpTable(family: 'ipv4' | 'ipv6'): Buffer;
  /** The SID string of the user owning `pid`'s token; undefined when we may not open it. */
  userOfPid(pid: number): OsUserId | undefined;
}

/**
 * Windows: GetExtendedTcpTable gives the peer's owning PID, its process token the user SID.
 * Another user's process token is closed to a normal user; then the Terminal Services process
 * list (WTSEnumerateProcessesW, which carries each process's user SID) answers, so an agent can
 * still tell a SYSTEM Registry from another user. No answer at all is "not you".
 */
export function windowsPeerUserLookup(api: WindowsApi): PeerUserLookup {
  return {
    async ownerOf(connection: LoopbackConnection): Promise<OsUserId | undefined> {
      for (const family of ['ipv4', 'ipv6'] as const) {
        const pid = owningPid(parseTcpTable(api.tcpTable(family), family), connection);
        if (pid !== undefined) return api.userOfPid(pid);
      }
      return undefined;
    },
    async ownerOfListener(port: number): Promise<OsUserId | undefined> {
      const MIB_TCP_STATE_LISTEN = 2;
      for (const family of ['ipv4', 'ipv6'] as const) {
        const row = parseTcpTable(api.tcpTable(family), family).find((r) => r.state === MIB_TCP_STATE_LISTEN && r.local.port === port);
        if (row) return api.userOfPid(row.pid);
      }
      return undefined;
    },
    currentUser: () => api.userOfPid(process.pid) ?? 'unknown',
  };
}

/** The real Win32 API; the process-list half of `userOfPid` on its own, so it can be tried alone. */
export interface Win32Api extends WindowsApi {
  userFromProcessList(pid: number): OsUserId | undefined;
}

/** The real Win32 API through koffi (loaded only on Windows). */
export async function win32Api(): Promise<Win32Api> {
  const koffi = (await import('koffi')).default;
  const iphlpapi = koffi.load('iphlpapi.dll');
  const kernel32 = koffi.load('kernel32.dll');
  const advapi32 = koffi.load('advapi32.dll');
  const GetExtendedTcpTable = iphlpapi.func('uint32 __stdcall GetExtendedTcpTable(_Out_ uint8_t *table, _Inout_ uint32 *size, int order, uint32 af, int tableClass, uint32 reserved)');
  const OpenProcess = kernel32.func('void * __stdcall OpenProcess(uint32 access, int inherit, uint32 pid)');
  const CloseHandle = kernel32.func('int __stdcall CloseHandle(void *h)');
  const OpenProcessToken = advapi32.func('int __stdcall OpenProcessToken(void *process, uint32 access, _Out_ void **token)');
  const GetTokenInformation = advapi32.func('int __stdcall GetTokenInformation(void *token, int cls, _Out_ uint8_t *info, uint32 length, _Out_ uint32 *returned)');
  const ConvertSidToStringSidW = advapi32.func('int __stdcall ConvertSidToStringSidW(void *sid, _Out_ str16 *text)');
  const processInfo = koffi.struct('WTS_PROCESS_INFOW', { SessionId: 'uint32', ProcessId: 'uint32', pProcessName: 'void *', pUserSid: 'void *' });
  const wtsapi32 = koffi.load('wtsapi32.dll');
  const WTSEnumerateProcessesW = wtsapi32.func('int __stdcall WTSEnumerateProcessesW(void *server, uint32 reserved, uint32 version, _Out_ void **info, _Out_ uint32 *count)');
  const WTSFreeMemory = wtsapi32.func('void __stdcall WTSFreeMemory(void *memory)');
  const sidText = (sid: unknown): OsUserId | undefined => {
    const text: string[] = [''];
    return sid && ConvertSidToStringSidW(sid, text) ? text[0] : undefined;
  };
  const userFromProcessList = (pid: number): OsUserId | undefined => {
    const list: unknown[] = [null];
    const count = [0];
    if (!WTSEnumerateProcessesW(null, 0, 1, list, count) || !list[0]) return undefined;
    try {
      const n = count[0] ?? 0;
      const rows = n > 0 ? koffi.decode(list[0], koffi.array(processInfo, n)) as { ProcessId: number; pUserSid: unknown }[] : [];
      return sidText(rows.find((r) => r.ProcessId === pid)?.pUserSid);
    } finally {
      WTSFreeMemory(list[0]);
    }
  };
  const PROCESS_QUERY_LIMITED_INFORMATION = 0x1000;
  const TOKEN_QUERY = 0x0008;
  const TOKEN_USER = 1;
  return {
    userFromProcessList,
    tcpTable(family) {
      const size = [0];
      const af = family === 'ipv4' ? AF_INET : AF_INET6;
      for (let attempt = 0; attempt < 4; attempt += 1) {
        const table = Buffer.alloc(Math.max(size[0] ?? 0, 4));
        const rc = GetExtendedTcpTable(table, size, 0, af, TCP_TABLE_OWNER_PID_ALL, 0) as number;
        if (rc === 0) return table;
        if (rc !== 122) throw new Error(`GetExtendedTcpTable failed: ${rc}`); // 122 = ERROR_INSUFFICIENT_BUFFER
      }
      throw new Error('GetExtendedTcpTable: the table kept growing');
    },
    userOfPid(pid) {
      const fromToken = (): OsUserId | undefined => {
        const process = OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, 0, pid) as unknown;
        if (!process) return undefined;
        try {
          const token: unknown[] = [null];
          if (!OpenProcessToken(process, TOKEN_QUERY, token)) return undefined;
          try {
            const info = Buffer.alloc(256);
            if (!GetTokenInformation(token[0], TOKEN_USER, info, info.length, [0])) return undefined;
            // TOKEN_USER starts with SID_AND_ATTRIBUTES, whose first field points at the SID.
            return sidText(koffi.decode(info, 'void *') as unknown);
          } finally {
            CloseHandle(token[0]);
          }
        } finally {
          CloseHandle(process);
        }
      };
      return fromToken() ?? userFromProcessList(pid);
    },
  };
}
