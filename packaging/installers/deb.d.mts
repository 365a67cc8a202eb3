import type { InstallerContext, InstallerTarget } from './msi.mjs';

export function elfDepends(executable: string): string[];
/** Builds one .deb of `target` into `distDir`; returns its path. */
export function buildDeb(options: { root: string; distDir: string; version: string; target: InstallerTarget & { readonly arch: string; readonly dir: string }; compression?: 'xz' | 'gzip' | 'none' }): string;
export function build(ctx: InstallerContext): Promise<string[]>;
