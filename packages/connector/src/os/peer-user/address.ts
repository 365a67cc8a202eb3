/**
 * One spelling per address so socket tables and Node can be compared: IPv4 and IPv4-mapped
 * IPv6 as a dotted quad, other IPv6 as the URL parser's compressed lower-case form.
 */
export function canonicalAddress(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped?.[1]) return mapped[1];
  if (!address.includes(':')) return address;
  return new URL(`http://[${address}]/`).hostname.slice(1, -1);
}

/** 4 or 16 bytes in network order → canonical address text. */
export function addressFromBytes(bytes: Uint8Array): string {
  if (bytes.length === 4) return Array.from(bytes).join('.');
  if (bytes.length !== 16) throw new Error(`an IP address has 4 or 16 bytes, not ${bytes.length}`);
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((((bytes[i] ?? 0) << 8) | (bytes[i + 1] ?? 0)).toString(16));
  return canonicalAddress(groups.join(':').replace(/^0:0:0:0:0:ffff:([0-9a-f]+):([0-9a-f]+)$/, (_m, hi: string, lo: string) => {
    const h = parseInt(hi, 16);
    const l = parseInt(lo, 16);
    return `::ffff:${h >> 8}.${h & 255}.${l >> 8}.${l & 255}`;
  }));
}

export function sameEndpoint(a: { address: string; port: number }, b: { address: string; port: number }): boolean {
  return a.port === b.port && canonicalAddress(a.address) === canonicalAddress(b.address);
}
