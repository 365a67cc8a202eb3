import type { Metafile } from 'esbuild';

export declare const COMMAND_ROOTS: Readonly<Record<string, string>>;
export declare function loadReport(metafile: Metafile): Record<string, number>;
