import type { Metafile } from 'esbuild';

export declare const DESKTOP_ENTRY: string;
export declare function bundleDesktop(options: { outfile: string; nodeTarget?: string }): Promise<Metafile>;
