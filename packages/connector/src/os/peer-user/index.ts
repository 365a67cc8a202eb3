import { linuxPeerUserLookup } from './linux-proc-net-tcp.js';
import { macosPeerUserLookup } from './macos-lsof.js';
import type { PeerUserLookup } from './types.js';
import { win32Api, windowsPeerUserLookup } from './windows-tcp-table.js';
import { runningUnderWine, winePeerUserLookup } from './wine.js';

export { SameUserGuard } from './same-user-guard.js';
export { windowsAccountName } from './windows-account-name.js';
export { unixUser, uidOf, type LoopbackConnection, type OsUserId, type PeerUserLookup, type TcpEndpoint } from './types.js';

/** The lookup for the OS we run on; undefined on other platforms (none we ship for), where the API warns at start that any local user can reach it. */
export async function systemPeerUserLookup(platform: NodeJS.Platform = process.platform): Promise<PeerUserLookup | undefined> {
  if (platform === 'linux') return linuxPeerUserLookup();
  if (platform === 'darwin') return macosPeerUserLookup();
  if (platform === 'win32') return (await runningUnderWine()) ? winePeerUserLookup() : windowsPeerUserLookup(await win32Api());
  return undefined;
}
