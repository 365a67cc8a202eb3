/**
 * The shape of the keys the DS issues, `t1c<kind>_<16 hex key id>.<43 base64url secret>`: one
 * definition for the DS, which parses them, and the connector, which checks a registration key
 * before it sends one.
 */
export type KeyKind = 'ak' | 'rk';

export function parseKey(kind: KeyKind, value: string): { keyId: string; secret: string } | null {
  const m = new RegExp(`^t1c${kind}_([0-9a-f]{16})\\.([A-Za-z0-9_-]{43})$`).exec(value);
  if (m === null || m[1] === undefined || m[2] === undefined) return null;
  return { keyId: m[1], secret: m[2] };
}

export function isRegistrationKey(value: string): boolean {
  return parseKey('rk', value) !== null;
}
