import type { OsUserId } from '../os/peer-user/index.js';

/**
 * Accounts that only an administrator can make a program run as: Windows' SYSTEM, LocalService
 * and NetworkService, and root (Linux, and Wine, where the Linux user is the one that counts).
 */
export const MACHINE_ACCOUNTS: readonly OsUserId[] = ['S-1-5-18', 'S-1-5-19', 'S-1-5-20', 'uid:0'];

/**
 * Whether an agent may register with whoever answers on the TCP channel. A port, unlike the Unix
 * socket's root-owned directory, can be taken by any user while the Registry is down, so the
 * agent asks the OS who owns the far end of its connection: a machine account, or this user
 * (a Registry of one's own), else a squatter that must not learn of, or forward to, this agent.
 */
export function tcpRegistryTrusted(owner: OsUserId | undefined, own: OsUserId): boolean {
  return owner !== undefined && (MACHINE_ACCOUNTS.includes(owner) || owner === own);
}
