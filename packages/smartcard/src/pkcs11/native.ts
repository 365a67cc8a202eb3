import koffi, { type LibraryHandle, type TypeObject } from 'koffi';
import { SmartCardError } from '../errors.js';

/**
 * The FFI side of PKCS#11, and the only module of it that touches koffi. A library is entered
 * through C_GetFunctionList and called through the function pointers of its CK_FUNCTION_LIST,
 * as the standard asks (symbols other than C_GetFunctionList need not be exported). CK_ULONG is
 * `unsigned long`: 64-bit on Linux and macOS, 32-bit on Windows, where Cryptoki structures are
 * also packed to 1 byte (pkcs11.h `#pragma pack(push, cryptoki, 1)`).
 */
type AsyncFn = (...args: unknown[]) => void;
export interface NativeFunction {
  (...args: unknown[]): number;
  async: AsyncFn;
}

/** The CK_FUNCTION_LIST slots in the order of PKCS#11 v2.40; only their position matters. */
const FUNCTION_LIST_ORDER = [
  'C_Initialize', 'C_Finalize', 'C_GetInfo', 'C_GetFunctionList', 'C_GetSlotList', 'C_GetSlotInfo', 'C_GetTokenInfo',
  'C_GetMechanismList', 'C_GetMechanismInfo', 'C_InitToken', 'C_InitPIN', 'C_SetPIN', 'C_OpenSession', 'C_CloseSession',
  'C_CloseAllSessions', 'C_GetSessionInfo', 'C_GetOperationState', 'C_SetOperationState', 'C_Login', 'C_Logout',
  'C_CreateObject', 'C_CopyObject', 'C_DestroyObject', 'C_GetObjectSize', 'C_GetAttributeValue', 'C_SetAttributeValue',
  'C_FindObjectsInit', 'C_FindObjects', 'C_FindObjectsFinal', 'C_EncryptInit', 'C_Encrypt', 'C_EncryptUpdate',
  'C_EncryptFinal', 'C_DecryptInit', 'C_Decrypt', 'C_DecryptUpdate', 'C_DecryptFinal', 'C_DigestInit', 'C_Digest',
  'C_DigestUpdate', 'C_DigestKey', 'C_DigestFinal', 'C_SignInit', 'C_Sign', 'C_SignUpdate', 'C_SignFinal',
  'C_SignRecoverInit', 'C_SignRecover', 'C_VerifyInit', 'C_Verify', 'C_VerifyUpdate', 'C_VerifyFinal',
  'C_VerifyRecoverInit', 'C_VerifyRecover', 'C_DigestEncryptUpdate', 'C_DecryptDigestUpdate', 'C_SignEncryptUpdate',
  'C_DecryptVerifyUpdate', 'C_GenerateKey', 'C_GenerateKeyPair', 'C_WrapKey', 'C_UnwrapKey', 'C_DeriveKey',
  'C_SeedRandom', 'C_GenerateRandom', 'C_GetFunctionStatus', 'C_CancelFunction', 'C_WaitForSlotEvent',
] as const;

interface Cryptoki {
  readonly version: TypeObject;
  readonly info: TypeObject;
  readonly slotInfo: TypeObject;
  readonly tokenInfo: TypeObject;
  readonly mechanismInfo: TypeObject;
  readonly sessionInfo: TypeObject;
  readonly mechanism: TypeObject;
  readonly attribute: TypeObject;
  readonly initializeArgs: TypeObject;
  readonly functionList: TypeObject;
  readonly ulongBytes: number;
  /** Signatures of the entries this binding calls, declared once per process (koffi type names are global). */
  readonly prototypes: Record<FunctionName, TypeObject>;
}

type FunctionName = 'C_Initialize' | 'C_Finalize' | 'C_GetInfo' | 'C_GetSlotList' | 'C_GetSlotInfo' | 'C_GetTokenInfo'
  | 'C_GetMechanismList' | 'C_GetMechanismInfo' | 'C_OpenSession' | 'C_CloseSession' | 'C_GetSessionInfo' | 'C_Login'
  | 'C_Logout' | 'C_FindObjectsInit' | 'C_FindObjects' | 'C_FindObjectsFinal' | 'C_GetAttributeValue' | 'C_SignInit' | 'C_Sign';

let types: Cryptoki | undefined;

function cryptokiTypes(): Cryptoki {
  if (types) return types;
  const windows = process.platform === 'win32';
  const record = (name: string, fields: Record<string, string | TypeObject>): TypeObject =>
    windows ? koffi.pack(name, fields) : koffi.struct(name, fields);
  const bytes = (n: number): TypeObject => koffi.array('uint8_t', n, 'Typed');
  const U = 'unsigned long';
  const version = record('T1C_CK_VERSION', { major: 'uint8_t', minor: 'uint8_t' });
  const functionFields: Record<string, string | TypeObject> = { version };
  for (const name of FUNCTION_LIST_ORDER) functionFields[name] = 'void *';
  types = {
    version,
    info: record('T1C_CK_INFO', { cryptokiVersion: version, manufacturerID: bytes(32), flags: U, libraryDescription: bytes(32), libraryVersion: version }),
    slotInfo: record('T1C_CK_SLOT_INFO', { slotDescription: bytes(64), manufacturerID: bytes(32), flags: U, hardwareVersion: version, firmwareVersion: version }),
    tokenInfo: record('T1C_CK_TOKEN_INFO', {
      label: bytes(32), manufacturerID: bytes(32), model: bytes(16), serialNumber: bytes(16), flags: U,
      ulMaxSessionCount: U, ulSessionCount: U, ulMaxRwSessionCount: U, ulRwSessionCount: U, ulMaxPinLen: U, ulMinPinLen: U,
      ulTotalPublicMemory: U, ulFreePublicMemory: U, ulTotalPrivateMemory: U, ulFreePrivateMemory: U,
      hardwareVersion: version, firmwareVersion: version, utcTime: bytes(16),
    }),
    mechanismInfo: record('T1C_CK_MECHANISM_INFO', { ulMinKeySize: U, ulMaxKeySize: U, flags: U }),
    sessionInfo: record('T1C_CK_SESSION_INFO', { slotID: U, state: U, flags: U, ulDeviceError: U }),
    mechanism: record('T1C_CK_MECHANISM', { mechanism: U, pParameter: 'void *', ulParameterLen: U }),
    attribute: record('T1C_CK_ATTRIBUTE', { type: U, pValue: 'void *', ulValueLen: U }),
    initializeArgs: record('T1C_CK_C_INITIALIZE_ARGS', {
      CreateMutex: 'void *', DestroyMutex: 'void *', LockMutex: 'void *', UnlockMutex: 'void *', flags: U, pReserved: 'void *',
    }),
    functionList: record('T1C_CK_FUNCTION_LIST', functionFields),
    ulongBytes: koffi.sizeof(U),
    prototypes: {} as Record<FunctionName, TypeObject>,
  };
  const t = types;
  const signatures: Record<FunctionName, string> = {
    C_Initialize: `${t.initializeArgs.name} *args`,
    C_Finalize: 'void *reserved',
    C_GetInfo: `_Out_ ${t.info.name} *info`,
    C_GetSlotList: `uint8_t present, void *list, _Inout_ ${U} *count`,
    C_GetSlotInfo: `${U} slot, _Out_ ${t.slotInfo.name} *info`,
    C_GetTokenInfo: `${U} slot, _Out_ ${t.tokenInfo.name} *info`,
    C_GetMechanismList: `${U} slot, void *list, _Inout_ ${U} *count`,
    C_GetMechanismInfo: `${U} slot, ${U} type, _Out_ ${t.mechanismInfo.name} *info`,
    C_OpenSession: `${U} slot, ${U} flags, void *application, void *notify, _Out_ ${U} *session`,
    C_CloseSession: `${U} session`,
    C_GetSessionInfo: `${U} session, _Out_ ${t.sessionInfo.name} *info`,
    C_Login: `${U} session, ${U} userType, void *pin, ${U} pinLength`,
    C_Logout: `${U} session`,
    C_FindObjectsInit: `${U} session, ${t.attribute.name} *template, ${U} count`,
    C_FindObjects: `${U} session, void *objects, ${U} max, _Out_ ${U} *count`,
    C_FindObjectsFinal: `${U} session`,
    C_GetAttributeValue: `${U} session, ${U} object, _Inout_ ${t.attribute.name} *template, ${U} count`,
    C_SignInit: `${U} session, ${t.mechanism.name} *mechanism, ${U} key`,
    C_Sign: `${U} session, void *data, ${U} dataLength, void *signature, _Inout_ ${U} *signatureLength`,
  };
  for (const [name, signature] of Object.entries(signatures) as [FunctionName, string][]) {
    t.prototypes[name] = koffi.proto(`unsigned long T1C_${name}(${signature})`);
  }
  return types;
}

export interface Pkcs11Native {
  readonly ulongBytes: number;
  readonly initialize: NativeFunction;
  readonly finalize: NativeFunction;
  readonly getInfo: NativeFunction;
  readonly getSlotList: NativeFunction;
  readonly getSlotInfo: NativeFunction;
  readonly getTokenInfo: NativeFunction;
  readonly getMechanismList: NativeFunction;
  readonly getMechanismInfo: NativeFunction;
  readonly openSession: NativeFunction;
  readonly closeSession: NativeFunction;
  readonly getSessionInfo: NativeFunction;
  readonly login: NativeFunction;
  readonly logout: NativeFunction;
  readonly findObjectsInit: NativeFunction;
  readonly findObjects: NativeFunction;
  readonly findObjectsFinal: NativeFunction;
  readonly getAttributeValue: NativeFunction;
  readonly signInit: NativeFunction;
  readonly sign: NativeFunction;
  /** Drops the library from the process; call only after C_Finalize. */
  readonly unload: () => void;
}

function isPointer(value: unknown): boolean {
  return value !== null && value !== undefined && value !== 0n && value !== 0;
}

/** Opens a library that checkLibraryPath already accepted and binds its function list. */
export function loadPkcs11Library(realPath: string): Pkcs11Native {
  const t = cryptokiTypes();
  let lib: LibraryHandle;
  try {
    lib = koffi.load(realPath);
  } catch (error) {
    throw new SmartCardError('PKCS11_LIBRARY_MISSING', `PKCS#11 library ${JSON.stringify(realPath)} could not be loaded: ${error instanceof Error ? error.message : String(error)}`);
  }
  try {
    let getFunctionList: NativeFunction;
    try {
      getFunctionList = lib.func('C_GetFunctionList', 'unsigned long', [koffi.out(koffi.pointer('void *'))]) as unknown as NativeFunction;
    } catch {
      throw new SmartCardError('PKCS11_LIBRARY_MISSING', `${JSON.stringify(realPath)} is not a PKCS#11 library (no C_GetFunctionList)`);
    }
    const out: unknown[] = [null];
    const rv = getFunctionList(out);
    if (rv !== 0 || !isPointer(out[0])) {
      throw new SmartCardError('PKCS11_LIBRARY_MISSING', `C_GetFunctionList of ${JSON.stringify(realPath)} failed (0x${rv.toString(16)})`);
    }
    const list: unknown = koffi.decode(out[0], t.functionList);
    const entry = (name: FunctionName): NativeFunction => {
      const pointer = typeof list === 'object' && list !== null ? (list as Record<string, unknown>)[name] : undefined;
      if (!isPointer(pointer)) throw new SmartCardError('PKCS11_LIBRARY_MISSING', `${JSON.stringify(realPath)} has no ${name}`);
      return koffi.decode(pointer, t.prototypes[name]) as unknown as NativeFunction;
    };
    return {
      ulongBytes: t.ulongBytes,
      initialize: entry('C_Initialize'),
      finalize: entry('C_Finalize'),
      getInfo: entry('C_GetInfo'),
      getSlotList: entry('C_GetSlotList'),
      getSlotInfo: entry('C_GetSlotInfo'),
      getTokenInfo: entry('C_GetTokenInfo'),
      getMechanismList: entry('C_GetMechanismList'),
      getMechanismInfo: entry('C_GetMechanismInfo'),
      openSession: entry('C_OpenSession'),
      closeSession: entry('C_CloseSession'),
      getSessionInfo: entry('C_GetSessionInfo'),
      login: entry('C_Login'),
      logout: entry('C_Logout'),
      findObjectsInit: entry('C_FindObjectsInit'),
      findObjects: entry('C_FindObjects'),
      findObjectsFinal: entry('C_FindObjectsFinal'),
      getAttributeValue: entry('C_GetAttributeValue'),
      signInit: entry('C_SignInit'),
      sign: entry('C_Sign'),
      unload: () => lib.unload(),
    };
  } catch (error) {
    lib.unload();
    throw error;
  }
}

/** Runs a Cryptoki call on koffi's worker thread: tokens behind PC/SC can take seconds. */
export function callAsync(fn: NativeFunction, ...args: unknown[]): Promise<number> {
  return new Promise((resolve, reject) => {
    fn.async(...args, (error: unknown, rv: unknown) => {
      if (error) reject(error instanceof Error ? error : new Error(String(error)));
      else resolve(Number(rv));
    });
  });
}

/** A CK_ULONG array the library writes into (slot lists, object handles, mechanism lists). */
export class UlongArray {
  readonly raw: BigUint64Array | Uint32Array;

  constructor(width: number, length: number) {
    this.raw = width === 8 ? new BigUint64Array(Math.max(length, 1)) : new Uint32Array(Math.max(length, 1));
  }

  get(index: number): number {
    return Number(this.raw[index] ?? 0);
  }

  set(index: number, value: number): void {
    if (this.raw instanceof BigUint64Array) this.raw[index] = BigInt(value);
    else this.raw[index] = value;
  }
}
