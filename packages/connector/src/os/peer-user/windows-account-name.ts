import type { OsUserId } from './types.js';

const NAME_CHARS = 256;

/**
 * `S-1-5-21-…-1001` → `DOMAIN\name` through LookupAccountSidW (koffi; Windows only). Only for
 * lists and logs: decisions compare SIDs, never names.
 */
export async function windowsAccountName(sid: OsUserId): Promise<string | undefined> {
  const koffi = (await import('koffi')).default;
  const advapi32 = koffi.load('advapi32.dll');
  const kernel32 = koffi.load('kernel32.dll');
  const ConvertStringSidToSidW = advapi32.func('int __stdcall ConvertStringSidToSidW(str16 text, _Out_ void **sid)');
  const LookupAccountSidW = advapi32.func('int __stdcall LookupAccountSidW(str16 system, void *sid, _Out_ uint8_t *name, _Inout_ uint32_t *nameChars, _Out_ uint8_t *domain, _Inout_ uint32_t *domainChars, _Out_ int *use)');
  const LocalFree = kernel32.func('void * __stdcall LocalFree(void *memory)');
  const binary: unknown[] = [null];
  if (!ConvertStringSidToSidW(sid, binary)) return undefined;
  try {
    const name = Buffer.alloc(NAME_CHARS * 2);
    const domain = Buffer.alloc(NAME_CHARS * 2);
    const nameChars = [NAME_CHARS];
    const domainChars = [NAME_CHARS];
    if (!LookupAccountSidW(null, binary[0], name, nameChars, domain, domainChars, [0])) return undefined;
    const user = name.toString('utf16le', 0, (nameChars[0] ?? 0) * 2);
    const where = domain.toString('utf16le', 0, (domainChars[0] ?? 0) * 2);
    return where ? `${where}\\${user}` : user;
  } finally {
    LocalFree(binary[0]);
  }
}
