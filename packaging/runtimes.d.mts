export interface TargetInfo { readonly os: 'linux' | 'win32' | 'darwin'; readonly arch: 'x64' | 'arm64'; readonly exe: string }
export declare const TARGETS: Readonly<Record<string, TargetInfo>>;
export declare function nodeBinary(root: string, cache: string, target: string): string;
export declare function koffiBinary(root: string, cache: string, target: string): string;
