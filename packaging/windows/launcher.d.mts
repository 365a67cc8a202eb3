export declare const LAUNCHER: string;
export declare function buildWindowsLauncher(outfile: string): string;
