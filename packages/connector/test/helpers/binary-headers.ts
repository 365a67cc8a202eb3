/** Just enough of PE, Mach-O and ELF to tell an executable's architecture and find the SEA blob. */

/** `subsystem`: 2 is a GUI program (no console), 3 a console program. */
export interface PeFacts { readonly machine: number; readonly pe32Plus: boolean; readonly subsystem: number; readonly resourceNames: string[] }
export interface MachOFacts { readonly cputype: number; readonly filetype: number; readonly sections: { segment: string; section: string; size: bigint }[] }

const cString = (buf: Buffer, start: number, length: number): string => {
  const raw = buf.subarray(start, start + length);
  const end = raw.indexOf(0);
  return raw.subarray(0, end === -1 ? raw.length : end).toString('latin1');
};

/** COFF machine, optional header kind and every named resource in the first two levels of .rsrc. */
export function parsePe(buf: Buffer): PeFacts {
  if (buf.toString('latin1', 0, 2) !== 'MZ') throw new Error('no MZ header');
  const pe = buf.readUInt32LE(0x3c);
  if (buf.toString('latin1', pe, pe + 4) !== 'PE\0\0') throw new Error('no PE signature');
  const machine = buf.readUInt16LE(pe + 4);
  const sectionCount = buf.readUInt16LE(pe + 6);
  const optionalSize = buf.readUInt16LE(pe + 20);
  const optional = pe + 24;
  const pe32Plus = buf.readUInt16LE(optional) === 0x20b;
  const subsystem = buf.readUInt16LE(optional + 68);
  const dataDirs = optional + (pe32Plus ? 112 : 96);
  const rsrcRva = buf.readUInt32LE(dataDirs + 2 * 8);
  const sections = optional + optionalSize;
  let rsrc = -1;
  for (let i = 0; i < sectionCount; i++) {
    const s = sections + i * 40;
    const va = buf.readUInt32LE(s + 12);
    const size = Math.max(buf.readUInt32LE(s + 8), buf.readUInt32LE(s + 16));
    if (rsrcRva >= va && rsrcRva < va + size) rsrc = buf.readUInt32LE(s + 20) + (rsrcRva - va);
  }
  const resourceNames: string[] = [];
  if (rsrc >= 0) {
    const walk = (dir: number, depth: number): void => {
      const named = buf.readUInt16LE(dir + 12);
      const ids = buf.readUInt16LE(dir + 14);
      for (let i = 0; i < named + ids; i++) {
        const entry = dir + 16 + i * 8;
        const name = buf.readUInt32LE(entry);
        const target = buf.readUInt32LE(entry + 4);
        if (name & 0x80000000) {
          const at = rsrc + (name & 0x7fffffff);
          resourceNames.push(buf.toString('utf16le', at + 2, at + 2 + buf.readUInt16LE(at) * 2));
        }
        if (depth < 2 && target & 0x80000000) walk(rsrc + (target & 0x7fffffff), depth + 1);
      }
    };
    walk(rsrc, 1);
  }
  return { machine, pe32Plus, subsystem, resourceNames };
}

/** A 64-bit little-endian Mach-O's CPU type and its sections. */
export function parseMachO(buf: Buffer): MachOFacts {
  if (buf.readUInt32LE(0) !== 0xfeedfacf) throw new Error('not a 64-bit little-endian Mach-O');
  const cputype = buf.readUInt32LE(4);
  const filetype = buf.readUInt32LE(12);
  const ncmds = buf.readUInt32LE(16);
  const sections: MachOFacts['sections'] = [];
  let at = 32;
  for (let i = 0; i < ncmds; i++) {
    const cmd = buf.readUInt32LE(at);
    const size = buf.readUInt32LE(at + 4);
    if (cmd === 0x19) {
      const nsects = buf.readUInt32LE(at + 64);
      for (let j = 0; j < nsects; j++) {
        const s = at + 72 + j * 80;
        sections.push({ section: cString(buf, s, 16), segment: cString(buf, s + 16, 16), size: buf.readBigUInt64LE(s + 40) });
      }
      if (nsects === 0) sections.push({ section: '', segment: cString(buf, at + 8, 16), size: 0n });
    }
    at += size;
  }
  return { cputype, filetype, sections };
}

/** An ELF file's class and machine. */
export function parseElf(buf: Buffer): { elfClass: number; machine: number } {
  if (buf.readUInt32BE(0) !== 0x7f454c46) throw new Error('not ELF');
  return { elfClass: buf[4] ?? 0, machine: buf.readUInt16LE(18) };
}
