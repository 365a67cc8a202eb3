export declare const LAUNCHER: string;
export declare const SERVICE_WRAPPER: string;
export declare function buildWindowsLauncher(outfile: string): string;
export declare function buildServiceWrapper(outfile: string): string;
