import { checkLibraryPath } from './library-path.js';
import { Pkcs11Module } from './pkcs11-module.js';

/**
 * The PKCS#11 libraries the sandbox has open, one per real path: C_Initialize may run only once
 * per library in a process, so every request for the same library shares one module. A library
 * that failed to open is not remembered, so installing it later works without a restart.
 */
export class Pkcs11Libraries {
  readonly #configuredDirectories: readonly string[];
  readonly #open = new Map<string, Promise<Pkcs11Module>>();

  constructor(options: { readonly configuredDirectories?: readonly string[] } = {}) {
    this.#configuredDirectories = options.configuredDirectories ?? [];
  }

  /** The allow-list verdict alone, with no dlopen: the real path, or a typed error. */
  check(path: string): string {
    return checkLibraryPath(path, this.#configuredDirectories);
  }

  module(path: string): Promise<Pkcs11Module> {
    const real = this.check(path);
    const known = this.#open.get(real);
    if (known) return known;
    const opening = Pkcs11Module.open({ path: real, configuredDirectories: this.#configuredDirectories });
    this.#open.set(real, opening);
    opening.catch(() => this.#open.delete(real));
    return opening;
  }

  async close(): Promise<void> {
    const modules = [...this.#open.values()];
    this.#open.clear();
    for (const module of modules) await module.then((m) => m.close(), () => undefined);
  }
}
