/**
 * Whether a bypass list (NO_PROXY, GNOME ignore-hosts, KDE NoProxyFor, Windows ProxyOverride,
 * macOS exceptions) sends `host` direct. Decided on the name as typed, as browsers do: a name
 * is never resolved first, so "127.0.0.0/8" does not cover a DNS name that points there.
 */
export function bypasses(patterns: readonly string[], host: string): boolean {
  const h = host.toLowerCase().replace(/\.$/, '');
  return patterns.some((raw) => {
    const p = raw.toLowerCase().replace(/^[a-z]+:\/\//, '').replace(/:\d+$/, '');
    if (p === '*') return true;
    if (p === '<local>') return !h.includes('.');
    if (p.includes('*')) return new RegExp(`^${p.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`).test(h);
    const bare = p.replace(/^\./, '');
    return h === bare || h.endsWith(`.${bare}`);
  });
}
