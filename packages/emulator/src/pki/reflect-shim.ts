/**
 * @peculiar/x509 registers its services with tsyringe, which refuses to load unless a
 * Reflect metadata polyfill is present; `reflect-metadata` is not a dependency of this
 * workspace, so this module supplies the few functions tsyringe calls. Import it before
 * @peculiar/x509. It leaves an existing polyfill alone.
 */
type Target = object;
const store = new WeakMap<Target, Map<string, Map<unknown, unknown>>>();

function table(target: Target, property: string | symbol | undefined, create: boolean): Map<unknown, unknown> | undefined {
  const key = String(property ?? '');
  let byProperty = store.get(target);
  if (!byProperty) {
    if (!create) return undefined;
    byProperty = new Map();
    store.set(target, byProperty);
  }
  let entries = byProperty.get(key);
  if (!entries && create) {
    entries = new Map();
    byProperty.set(key, entries);
  }
  return entries;
}

function getOwn(key: unknown, target: Target, property?: string | symbol): unknown {
  return table(target, property, false)?.get(key);
}

function get(key: unknown, target: Target, property?: string | symbol): unknown {
  for (let t: Target | null = target; t; t = Object.getPrototypeOf(t) as Target | null) {
    const found = table(t, property, false);
    if (found?.has(key)) return found.get(key);
  }
  return undefined;
}

const reflect = Reflect as unknown as Record<string, unknown>;
if (typeof reflect.getOwnMetadata !== 'function') {
  const define = (key: unknown, value: unknown, target: Target, property?: string | symbol): void => {
    table(target, property, true)?.set(key, value);
  };
  Object.assign(reflect, {
    defineMetadata: define,
    getOwnMetadata: getOwn,
    getMetadata: get,
    hasOwnMetadata: (key: unknown, target: Target, property?: string | symbol) => table(target, property, false)?.has(key) ?? false,
    hasMetadata: (key: unknown, target: Target, property?: string | symbol) => get(key, target, property) !== undefined,
    metadata: (key: unknown, value: unknown) => (target: Target, property?: string | symbol) => define(key, value, target, property),
  });
}
