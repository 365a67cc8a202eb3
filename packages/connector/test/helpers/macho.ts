import { closeSync, openSync, readSync } from 'node:fs';

/** What a test needs to know of a 64-bit Mach-O file: header and segments (with their sections). */
export interface MachO {
  readonly magic: number;
  readonly cputype: number;
  readonly filetype: number;
  readonly segments: readonly MachOSegment[];
  readonly hasCodeSignature: boolean;
}

export interface MachOSegment {
  readonly name: string;
  readonly fileoff: bigint;
  readonly filesize: bigint;
  readonly sections: readonly { readonly name: string; readonly offset: number; readonly size: bigint }[];
}

export const MH_MAGIC_64 = 0xfeedfacf;
export const CPU_TYPE_X86_64 = 0x01000007;
export const CPU_TYPE_ARM64 = 0x0100000c;
export const MH_EXECUTE = 2;
const LC_SEGMENT_64 = 0x19;
const LC_CODE_SIGNATURE = 0x1d;
const HEADER_SIZE = 32;
const SEGMENT_SIZE = 72;
const SECTION_SIZE = 80;

const cString = (b: Buffer, at: number): string => {
  const raw = b.subarray(at, at + 16);
  const end = raw.indexOf(0);
  return raw.subarray(0, end === -1 ? 16 : end).toString('latin1');
};

function readAt(fd: number, position: number, length: number): Buffer {
  const b = Buffer.alloc(length);
  const n = readSync(fd, b, 0, length, position);
  if (n !== length) throw new Error(`Mach-O truncated: wanted ${length} bytes at ${position}, got ${n}`);
  return b;
}

/** Parses a thin little-endian 64-bit Mach-O (what Node ships for darwin-x64 and darwin-arm64). */
export function readMachO(path: string): MachO {
  const fd = openSync(path, 'r');
  try {
    const header = readAt(fd, 0, HEADER_SIZE);
    const magic = header.readUInt32LE(0);
    if (magic !== MH_MAGIC_64) return { magic, cputype: 0, filetype: 0, segments: [], hasCodeSignature: false };
    const cputype = header.readUInt32LE(4);
    const filetype = header.readUInt32LE(12);
    const ncmds = header.readUInt32LE(16);
    const sizeofcmds = header.readUInt32LE(20);
    const cmds = readAt(fd, HEADER_SIZE, sizeofcmds);
    const segments: MachOSegment[] = [];
    let hasCodeSignature = false;
    let at = 0;
    for (let i = 0; i < ncmds; i++) {
      const cmd = cmds.readUInt32LE(at);
      const cmdsize = cmds.readUInt32LE(at + 4);
      if (cmdsize < 8 || at + cmdsize > cmds.length) throw new Error(`Mach-O load command ${i} overruns the command area`);
      if (cmd === LC_CODE_SIGNATURE) hasCodeSignature = true;
      if (cmd === LC_SEGMENT_64) {
        const nsects = cmds.readUInt32LE(at + 64);
        const sections = Array.from({ length: nsects }, (_, s) => {
          const base = at + SEGMENT_SIZE + s * SECTION_SIZE;
          return { name: cString(cmds, base), size: cmds.readBigUInt64LE(base + 40), offset: cmds.readUInt32LE(base + 48) };
        });
        segments.push({ name: cString(cmds, at + 8), fileoff: cmds.readBigUInt64LE(at + 40), filesize: cmds.readBigUInt64LE(at + 48), sections });
      }
      at += cmdsize;
    }
    return { magic, cputype, filetype, segments, hasCodeSignature };
  } finally {
    closeSync(fd);
  }
}
