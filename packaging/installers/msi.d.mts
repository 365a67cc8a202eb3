export interface InstallerTarget {
  readonly name: string;
  readonly os?: string;
  readonly arch?: string;
  readonly dir?: string;
  readonly executable: string;
}

export interface InstallerContext {
  readonly root: string;
  readonly distDir: string;
  readonly version: string;
  readonly targets: readonly InstallerTarget[];
}

export function msiVersion(version: string): string;
export function msiFiles(distDir: string, version: string): { perUser: string; perMachine: string };
/** Writes dist/t1c-<version>-win-x64.msi and -machine.msi when win-x64 is among the targets; returns what it wrote. */
export function build(ctx: InstallerContext): Promise<string[]>;
