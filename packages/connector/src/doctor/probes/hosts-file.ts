/** One line of a hosts file that names `hostname`. */
export interface HostsEntry {
  readonly line: number;
  readonly address: string;
}

/** Lines of /etc/hosts (or Windows' drivers\etc\hosts) that map `hostname`, in file order. */
export function hostsEntries(text: string, hostname: string): HostsEntry[] {
  const wanted = hostname.toLowerCase().replace(/\.$/, '');
  const out: HostsEntry[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const [address, ...names] = (raw.split('#')[0] ?? '').trim().split(/\s+/);
    if (address === undefined || address === '' || !names.some((n) => n.toLowerCase().replace(/\.$/, '') === wanted)) return;
    out.push({ line: i + 1, address });
  });
  return out;
}
