/** True when already inside; otherwise re-executes this script inside a private namespace and exits. */
export function ensurePrivateNamespace(): boolean;
