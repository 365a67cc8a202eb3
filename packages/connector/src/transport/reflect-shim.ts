/**
 * @peculiar/x509 loads tsyringe, which throws unless a Reflect metadata API exists, and
 * `reflect-metadata` is not installed. The few calls tsyringe makes are served from a
 * WeakMap here; an existing polyfill (e.g. the emulator's) is left alone. Import first.
 */
type Target = object;
const store = new WeakMap<Target, Map<string, Map<unknown, unknown>>>();

function entries(target: Target, property: string | symbol | undefined, create: boolean): Map<unknown, unknown> | undefined {
  const name = String(property ?? '');
  let perTarget = store.get(target);
  if (!perTarget && create) store.set(target, (perTarget = new Map()));
  let map = perTarget?.get(name);
  if (!map && create && perTarget) perTarget.set(name, (map = new Map()));
  return map;
}

function lookup(key: unknown, target: Target, property?: string | symbol): unknown {
  for (let t: Target | null = target; t; t = Object.getPrototypeOf(t) as Target | null) {
    const map = entries(t, property, false);
    if (map?.has(key)) return map.get(key);
  }
  return undefined;
}

const api = Reflect as unknown as Record<string, unknown>;
if (typeof api.getOwnMetadata !== 'function') {
  const define = (key: unknown, value: unknown, target: Target, property?: string | symbol): void => {
    entries(target, property, true)?.set(key, value);
  };
  Object.assign(api, {
    defineMetadata: define,
    getOwnMetadata: (key: unknown, target: Target, property?: string | symbol) => entries(target, property, false)?.get(key),
    getMetadata: lookup,
    hasOwnMetadata: (key: unknown, target: Target, property?: string | symbol) => entries(target, property, false)?.has(key) ?? false,
    hasMetadata: (key: unknown, target: Target, property?: string | symbol) => lookup(key, target, property) !== undefined,
    metadata: (key: unknown, value: unknown) => (target: Target, property?: string | symbol) => define(key, value, target, property),
  });
}
