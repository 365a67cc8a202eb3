export declare const SEA_FUSE: string;
export declare const SEA_RESOURCE: string;
export declare const MACHO_SEGMENT: string;
export declare function buildStamp(root: string, bundleBytes: Uint8Array): string;
export declare const SEA_EXEC_ARGV: readonly string[];
