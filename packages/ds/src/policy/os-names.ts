/** Operating systems the DS tells apart (device registration, version download links). */
export const OS_NAMES = ['win32', 'win64', 'macos', 'macosarm', 'unix'] as const;
export type OsName = (typeof OS_NAMES)[number];
