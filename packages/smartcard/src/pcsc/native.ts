import koffi, { type LibraryHandle } from 'koffi';
import { SmartCardError } from '../errors.js';

/**
 * The only module that touches the FFI. koffi ships prebuilt binaries for Linux, macOS and
 * Windows, so installers for every OS can be built on Linux without a native compile.
 * Types follow each platform's headers: pcsc-lite uses `long`/`unsigned long` (64-bit on
 * LP64 Linux), PCSC.framework uses 32-bit integers, winscard uses 32-bit LONG/DWORD with
 * pointer-sized handles and `A`-suffixed string functions.
 */
type Platform = 'linux' | 'darwin' | 'win32';

interface PlatformTypes {
  readonly library: readonly string[];
  readonly long: string;
  readonly dword: string;
  readonly handle: string;
  readonly suffix: string;
  readonly atrSize: number;
  readonly pack: boolean;
}

const platforms: Record<Platform, PlatformTypes> = {
  linux: { library: ['libpcsclite.so.1', 'libpcsclite.so'], long: 'long', dword: 'unsigned long', handle: 'long', suffix: '', atrSize: 33, pack: false },
  darwin: { library: ['/System/Library/Frameworks/PCSC.framework/PCSC'], long: 'int32_t', dword: 'uint32_t', handle: 'int32_t', suffix: '', atrSize: 33, pack: true },
  win32: { library: ['winscard.dll'], long: 'int32_t', dword: 'uint32_t', handle: 'uintptr_t', suffix: 'A', atrSize: 36, pack: false },
};

export interface ReaderStateStruct {
  szReader: string;
  pvUserData: null;
  dwCurrentState: number;
  dwEventState: number;
  cbAtr: number;
  rgbAtr: number[];
}

type AsyncFn = (...args: unknown[]) => void;
interface NativeFunction {
  (...args: unknown[]): number;
  async: AsyncFn;
}

export interface PcscNative {
  readonly atrSize: number;
  readonly platform: Platform;
  readonly establishContext: NativeFunction;
  readonly releaseContext: NativeFunction;
  readonly isValidContext: NativeFunction;
  readonly cancel: NativeFunction;
  readonly listReaders: NativeFunction;
  readonly getStatusChange: NativeFunction;
  readonly connect: NativeFunction;
  readonly reconnect: NativeFunction;
  readonly disconnect: NativeFunction;
  readonly beginTransaction: NativeFunction;
  readonly endTransaction: NativeFunction;
  readonly status: NativeFunction;
  readonly transmit: NativeFunction;
  readonly control: NativeFunction;
}

let loaded: PcscNative | undefined;

function loadLibrary(candidates: readonly string[]): LibraryHandle {
  let last: unknown;
  for (const path of candidates) {
    try {
      return koffi.load(path);
    } catch (error) {
      last = error;
    }
  }
  throw new SmartCardError('PCSC_LIBRARY_MISSING', `PC/SC library not found (${candidates.join(', ')}): ${String(last)}`);
}

export function pcscNative(): PcscNative {
  if (loaded) return loaded;
  const platform = (['linux', 'darwin', 'win32'] as const).find((p) => p === process.platform);
  if (!platform) throw new SmartCardError('PCSC_LIBRARY_MISSING', `no PC/SC binding for ${process.platform}`);
  const t = platforms[platform];
  const lib = loadLibrary(t.library);
  const fields = {
    szReader: 'const char*',
    pvUserData: 'void*',
    dwCurrentState: t.dword,
    dwEventState: t.dword,
    cbAtr: t.dword,
    rgbAtr: koffi.array('uint8_t', t.atrSize, 'Array'),
  };
  const readerState = t.pack ? koffi.pack('T1C_SCARD_READERSTATE', fields) : koffi.struct('T1C_SCARD_READERSTATE', fields);
  const ioRequest = koffi.struct('T1C_SCARD_IO_REQUEST', { dwProtocol: t.dword, cbPciLength: t.dword });
  const { long: L, dword: D, handle: H, suffix: A } = t;
  const fn = (decl: string): NativeFunction => lib.func(decl) as unknown as NativeFunction;
  const rs = koffi.pointer(readerState);
  const io = koffi.pointer(ioRequest);
  loaded = {
    atrSize: t.atrSize,
    platform,
    establishContext: fn(`${L} SCardEstablishContext(${D} scope, void *r1, void *r2, _Out_ ${H} *ctx)`),
    releaseContext: fn(`${L} SCardReleaseContext(${H} ctx)`),
    isValidContext: fn(`${L} SCardIsValidContext(${H} ctx)`),
    cancel: fn(`${L} SCardCancel(${H} ctx)`),
    listReaders: lib.func(`SCardListReaders${A}`, L, [H, 'const char*', 'uint8_t*', koffi.inout(koffi.pointer(D))]) as unknown as NativeFunction,
    getStatusChange: lib.func(`SCardGetStatusChange${A}`, L, [H, D, koffi.inout(rs), D]) as unknown as NativeFunction,
    connect: fn(`${L} SCardConnect${A}(${H} ctx, const char *reader, ${D} share, ${D} protocols, _Out_ ${H} *card, _Out_ ${D} *active)`),
    reconnect: fn(`${L} SCardReconnect(${H} card, ${D} share, ${D} protocols, ${D} init, _Out_ ${D} *active)`),
    disconnect: fn(`${L} SCardDisconnect(${H} card, ${D} disposition)`),
    beginTransaction: fn(`${L} SCardBeginTransaction(${H} card)`),
    endTransaction: fn(`${L} SCardEndTransaction(${H} card, ${D} disposition)`),
    status: lib.func(`SCardStatus${A}`, L, [H, 'uint8_t*', koffi.inout(koffi.pointer(D)), koffi.out(koffi.pointer(D)), koffi.out(koffi.pointer(D)), 'uint8_t*', koffi.inout(koffi.pointer(D))]) as unknown as NativeFunction,
    transmit: lib.func('SCardTransmit', L, [H, io, 'uint8_t*', D, 'void*', 'uint8_t*', koffi.inout(koffi.pointer(D))]) as unknown as NativeFunction,
    control: lib.func('SCardControl', L, [H, D, 'uint8_t*', D, 'uint8_t*', D, koffi.out(koffi.pointer(D))]) as unknown as NativeFunction,
  };
  return loaded;
}

/** Runs a native function on koffi's worker thread so blocking PC/SC calls never stall the event loop. */
export function callAsync(fn: NativeFunction, ...args: unknown[]): Promise<number> {
  return new Promise((resolve, reject) => {
    fn.async(...args, (error: unknown, rv: unknown) => {
      if (error) reject(error instanceof Error ? error : new Error(String(error)));
      else resolve(Number(rv));
    });
  });
}

/** PC/SC's SCARD_CTL_CODE: pcsc-lite and macOS add 0x42000000, Windows uses the IOCTL layout. */
export function controlCode(code: number, platform: NodeJS.Platform = process.platform): number {
  return platform === 'win32' ? ((0x31 << 16) | (code << 2)) >>> 0 : (0x42000000 + code) >>> 0;
}

export const CM_IOCTL_GET_FEATURE_REQUEST_CODE = 3400;
