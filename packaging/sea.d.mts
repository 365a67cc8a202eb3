export declare const SEA_FUSE: string;
export declare const SEA_RESOURCE: string;
export declare const MACHO_SEGMENT: string;
