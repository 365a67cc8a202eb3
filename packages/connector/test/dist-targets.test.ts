import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { before, describe, it } from 'node:test';
import { SEA_FUSE, SEA_RESOURCE } from '../../../packaging/sea.mjs';
import { parseElf, parseMachO, parsePe } from './helpers/binary-headers.js';
import { ensureExecutables } from './helpers/dist-exe.js';

const MACHO_X86_64 = 0x01000007;
const MACHO_ARM64 = 0x0100000c;
const MACHO_EXECUTE = 2;
const PE_AMD64 = 0x8664;
const ELF_X86_64 = 0x3e;
const ELF_AARCH64 = 0xb7;

/** The fuse postject flips when it injected a blob: the executable then runs its blob, not a REPL. */
const fuseOn = (buf: Buffer): boolean => buf.includes(`${SEA_FUSE}:1`);
/** A line only the desktop bundle has, so the blob injected is ours. */
const carriesBundle = (buf: Buffer): boolean => buf.includes('t1c api listening on');

describe('executables for every target, built on Linux x64', () => {
  let exes: Record<string, string>;
  const read = (target: string): Buffer => readFileSync(exes[target] ?? '');

  before(async () => {
    exes = await ensureExecutables(['linux-x64', 'linux-arm64', 'win-x64', 'darwin-x64', 'darwin-arm64']);
  });

  it('win-x64: a PE32+ for AMD64 with the SEA blob as a resource', () => {
    const buf = read('win-x64');
    const pe = parsePe(buf);
    assert.equal(pe.machine, PE_AMD64);
    assert.equal(pe.pe32Plus, true);
    assert.ok(pe.resourceNames.includes(SEA_RESOURCE), `resources: ${pe.resourceNames.join(', ')}`);
    assert.ok(fuseOn(buf));
    assert.ok(carriesBundle(buf));
  });

  for (const [target, cputype] of [['darwin-x64', MACHO_X86_64], ['darwin-arm64', MACHO_ARM64]] as const) {
    it(`${target}: a Mach-O executable for its CPU with the NODE_SEA segment`, () => {
      const buf = read(target);
      const macho = parseMachO(buf);
      assert.equal(macho.cputype, cputype);
      assert.equal(macho.filetype, MACHO_EXECUTE);
      const blob = macho.sections.find((s) => s.segment === 'NODE_SEA' && s.section === '__NODE_SEA_BLOB');
      assert.ok(blob && blob.size > 0n, macho.sections.map((s) => `${s.segment},${s.section}`).join(' '));
      assert.ok(fuseOn(buf));
      assert.ok(carriesBundle(buf));
    });
  }

  for (const [target, machine] of [['linux-x64', ELF_X86_64], ['linux-arm64', ELF_AARCH64]] as const) {
    it(`${target}: a 64-bit ELF for its CPU with the blob injected`, () => {
      const buf = read(target);
      assert.deepEqual(parseElf(buf), { elfClass: 2, machine });
      assert.ok(fuseOn(buf));
      assert.ok(carriesBundle(buf));
    });
  }
});
