export declare function packSdk(options: { root: string; distDir: string; version: string }): Promise<string>;
