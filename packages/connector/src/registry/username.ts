import { execFile } from 'node:child_process';

/** The login name of a uid through NSS (`getent`, so LDAP/SSSD users too); `uid:N` if none. */
export function usernameOf(uid: number): Promise<string> {
  return new Promise((resolve) => {
    execFile('getent', ['passwd', String(uid)], { timeout: 2000 }, (error, stdout) => {
      const name = error ? undefined : stdout.split(':')[0];
      resolve(name !== undefined && name !== '' ? name : `uid:${uid}`);
    });
  });
}
