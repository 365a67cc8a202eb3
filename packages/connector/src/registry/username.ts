import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { uidOf, windowsAccountName, type OsUserId } from '../os/peer-user/index.js';

/** Wine's drive for the Linux root (see os/peer-user/wine.ts). */
const WINE_LINUX_ROOT = 'Z:/';

/** The name of `uid` in passwd(5) text. */
export function nameInPasswd(passwd: string, uid: number): string | undefined {
  for (const line of passwd.split('\n')) {
    const [name, , id] = line.split(':');
    if (name && id === String(uid)) return name;
  }
  return undefined;
}

function getent(uid: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile('getent', ['passwd', String(uid)], { timeout: 2000 }, (error, stdout) => {
      const name = error ? undefined : stdout.split(':')[0];
      resolve(name !== undefined && name !== '' ? name : undefined);
    });
  });
}

/**
 * The login name of an OS user, for lists and logs only: a uid through NSS (`getent`, so
 * LDAP/SSSD users too; under Wine, which has no getent, the Linux /etc/passwd), a SID through
 * LookupAccountSidW. The id itself when there is no name.
 */
export async function usernameOf(user: OsUserId, platform: NodeJS.Platform = process.platform): Promise<string> {
  const uid = uidOf(user);
  if (uid === undefined) return (platform === 'win32' ? await windowsAccountName(user).catch(() => undefined) : undefined) ?? user;
  const name = platform === 'win32'
    ? nameInPasswd(await readFile(`${WINE_LINUX_ROOT}etc/passwd`, 'utf8').catch(() => ''), uid)
    : await getent(uid);
  return name ?? user;
}
