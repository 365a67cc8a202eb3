import { join } from 'node:path';
import { z } from 'zod';
import { readIfExists, writePrivateFile } from '../security/private-file.js';

/** T1C's `pkcs11/config` (t1c-api.md §2.6): the PKCS#11 library path for each OS. */
export const pkcs11ConfigSchema = z.object({
  macos: z.string().min(1).max(1024),
  win: z.string().min(1).max(1024),
  linux: z.string().min(1).max(1024),
}).strict();
export type Pkcs11Config = z.infer<typeof pkcs11ConfigSchema>;
export type Pkcs11Os = keyof Pkcs11Config;

/** OpenSC serves most national eIDs and PIV tokens; it is where a fresh install looks. */
export const DEFAULT_PKCS11_CONFIG: Pkcs11Config = {
  macos: '/Library/OpenSC/lib/opensc-pkcs11.so',
  win: 'C:\\Windows\\System32\\opensc-pkcs11.dll',
  linux: process.arch === 'arm64' ? '/usr/lib/aarch64-linux-gnu/opensc-pkcs11.so' : '/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so',
};

export function thisOs(platform: NodeJS.Platform = process.platform): Pkcs11Os {
  return platform === 'win32' ? 'win' : platform === 'darwin' ? 'macos' : 'linux';
}

/** A saved choice that no longer parses is ignored: the defaults apply until the next POST. */
function readSaved(file: string): Pkcs11Config | undefined {
  const saved = readIfExists(file);
  if (saved === undefined) return undefined;
  try {
    const parsed = pkcs11ConfigSchema.safeParse(JSON.parse(saved));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The user's PKCS#11 library choice, kept in the data directory so it survives restarts. Only
 * the path for this OS is ever loaded, and only after the sandbox's allow-list accepted it.
 */
export class Pkcs11LibraryConfig {
  readonly #file: string;
  #config: Pkcs11Config;

  constructor(dataDir: string) {
    this.#file = join(dataDir, 'pkcs11.json');
    this.#config = readSaved(this.#file) ?? { ...DEFAULT_PKCS11_CONFIG };
  }

  get(): Pkcs11Config {
    return { ...this.#config };
  }

  /** The library this connector loads. */
  library(): string {
    return this.#config[thisOs()];
  }

  set(config: Pkcs11Config): Pkcs11Config {
    this.#config = { ...config };
    writePrivateFile(this.#file, `${JSON.stringify(this.#config, null, 2)}\n`);
    return this.get();
  }

  reset(): Pkcs11Config {
    return this.set({ ...DEFAULT_PKCS11_CONFIG });
  }
}
