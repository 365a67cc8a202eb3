import { toHex, wipe } from '../codec/hex.js';
import { SmartCardError, isSmartCardError } from '../errors.js';
import {
  attributeLength, bytesAttribute, emptyAttribute, readUlong, ulongAttribute, type AttributeEntry,
} from './attributes.js';
import { describeCertificate } from './certificate-usage.js';
import {
  CKA_ALWAYS_AUTHENTICATE, CKA_CERTIFICATE_TYPE, CKA_CLASS, CKA_ID, CKA_KEY_TYPE, CKA_LABEL, CKA_VALUE, CKC_X_509,
  CKF_HW_SLOT, CKF_OS_LOCKING_OK, CKF_PROTECTED_AUTHENTICATION_PATH, CKF_REMOVABLE_DEVICE, CKF_SERIAL_SESSION, CKF_TOKEN_PRESENT, CKK_EC, CKK_RSA,
  CKO_CERTIFICATE, CKO_PRIVATE_KEY, CKR_BUFFER_TOO_SMALL, CKR_OK, CKU_CONTEXT_SPECIFIC, CKU_USER, MECHANISM_FLAGS,
  TOKEN_FLAGS,
} from './constants.js';
import { check, ckrError } from './errors.js';
import { checkLibraryPath } from './library-path.js';
import { mechanismName, signMechanism } from './mechanisms.js';
import { callAsync, loadPkcs11Library, UlongArray, type NativeFunction, type Pkcs11Native } from './native.js';
import { counter, flags, flagSet, text, version, type CkStruct } from './struct-fields.js';
import {
  PROTECTED_AUTHENTICATION_PATH, type KeyType, type Pkcs11Certificate, type Pkcs11LibraryInfo, type Pkcs11Mechanism,
  type Pkcs11Pin, type Pkcs11SignRequest, type Pkcs11Signature, type Pkcs11Slot, type Pkcs11TokenInfo,
} from './types.js';

/** Zeroes PIN bytes; the protected path carries none. */
function wipePin(pin: Pkcs11Pin): void {
  if (pin !== PROTECTED_AUTHENTICATION_PATH) wipe(pin);
}

export interface Pkcs11OpenOptions {
  readonly path: string;
  /** Directories the user configured beside the known ones (library-path.ts). */
  readonly configuredDirectories?: readonly string[];
  /** How long a call waits behind the one running (say, a PIN typed on a pad) before PKCS11_BUSY. */
  readonly maxWaitMs?: number;
}

/**
 * Shorter than the connector's IPC timeouts (past which it restarts the sandbox): a call stuck
 * behind a PIN pad entry gets a clear "busy" instead of a killed sandbox.
 */
export const PKCS11_MAX_WAIT_MS = 20_000;

/** CKS_RO_USER_FUNCTIONS, CKS_RW_USER_FUNCTIONS, CKS_RW_SO_FUNCTIONS. */
const USER_STATES: ReadonlySet<number> = new Set([1, 3, 4]);

/**
 * A loaded PKCS#11 library. Every call is serialised (one Cryptoki call at a time per library)
 * and runs off the event loop. Sessions are opened per operation and always closed; a login is
 * always followed by a logout, so nothing stays logged in between requests; PIN bytes are
 * zeroed as soon as the token has seen them.
 */
export class Pkcs11Module {
  readonly info: Pkcs11LibraryInfo;
  readonly #native: Pkcs11Native;
  readonly #maxWaitMs: number;
  #queue: Promise<unknown> = Promise.resolve();
  #closed = false;

  private constructor(native: Pkcs11Native, info: Pkcs11LibraryInfo, maxWaitMs: number) {
    this.#native = native;
    this.info = info;
    this.#maxWaitMs = maxWaitMs;
  }

  /** Checks the path against the allow-list, then loads and initialises the library. */
  static async open(options: Pkcs11OpenOptions): Promise<Pkcs11Module> {
    const realPath = checkLibraryPath(options.path, options.configuredDirectories);
    const native = loadPkcs11Library(realPath);
    let initialised = false;
    try {
      const args = { CreateMutex: null, DestroyMutex: null, LockMutex: null, UnlockMutex: null, flags: CKF_OS_LOCKING_OK, pReserved: null };
      check('C_Initialize', await callAsync(native.initialize, args));
      initialised = true;
      const info: CkStruct = {};
      check('C_GetInfo', await callAsync(native.getInfo, info));
      return new Pkcs11Module(native, {
        path: realPath,
        cryptokiVersion: version(info.cryptokiVersion),
        manufacturerId: text(info.manufacturerID),
        description: text(info.libraryDescription),
        libraryVersion: version(info.libraryVersion),
      }, options.maxWaitMs ?? PKCS11_MAX_WAIT_MS);
    } catch (error) {
      if (initialised) await callAsync(native.finalize, null).catch(() => undefined);
      native.unload();
      throw error;
    }
  }

  /** C_Finalize and unload. The module cannot be used afterwards. */
  close(): Promise<void> {
    return this.#exclusive(async () => {
      this.#closed = true;
      await callAsync(this.#native.finalize, null);
      this.#native.unload();
    }, true);
  }

  slots(): Promise<Pkcs11Slot[]> {
    return this.#exclusive(async () => {
      const slots: Pkcs11Slot[] = [];
      for (const slotId of await this.#slotIds()) {
        const info: CkStruct = {};
        check('C_GetSlotInfo', await this.#call(this.#native.getSlotInfo, slotId, info));
        const slotFlags = flags(info.flags);
        let token: Pkcs11Slot['token'];
        if (slotFlags & CKF_TOKEN_PRESENT) {
          const t: CkStruct = {};
          const rv = await this.#call(this.#native.getTokenInfo, slotId, t);
          if (rv === CKR_OK) {
            token = {
              label: text(t.label), serialNumber: text(t.serialNumber), manufacturerId: text(t.manufacturerID), model: text(t.model),
              protectedAuthenticationPath: (flags(t.flags) & CKF_PROTECTED_AUTHENTICATION_PATH) !== 0,
            };
          }
        }
        slots.push({
          slotId,
          description: text(info.slotDescription),
          manufacturerId: text(info.manufacturerID),
          removable: (slotFlags & CKF_REMOVABLE_DEVICE) !== 0,
          hardware: (slotFlags & CKF_HW_SLOT) !== 0,
          ...(token ? { token } : {}),
        });
      }
      return slots;
    });
  }

  tokenInfo(slotId: number): Promise<Pkcs11TokenInfo> {
    return this.#exclusive(async () => {
      const t = await this.#tokenRecord(slotId);
      const countCell = [0];
      check('C_GetMechanismList', await this.#call(this.#native.getMechanismList, slotId, null, countCell));
      const list = new UlongArray(this.#native.ulongBytes, Number(countCell[0]));
      check('C_GetMechanismList', await this.#call(this.#native.getMechanismList, slotId, list.raw, countCell));
      const mechanisms: Pkcs11Mechanism[] = [];
      for (let i = 0; i < Number(countCell[0]); i++) {
        const type = list.get(i);
        const mi: CkStruct = {};
        if (await this.#call(this.#native.getMechanismInfo, slotId, type, mi) !== CKR_OK) continue;
        mechanisms.push({
          mechanism: mechanismName(type),
          flags: flagSet(flags(mi.flags), MECHANISM_FLAGS),
          ulMinKeySize: counter(mi.ulMinKeySize, this.#native.ulongBytes),
          ulMaxKeySize: counter(mi.ulMaxKeySize, this.#native.ulongBytes),
        });
      }
      return {
        slot: slotId,
        label: text(t.label),
        manufacturerId: text(t.manufacturerID),
        model: text(t.model),
        serialNumber: text(t.serialNumber),
        flags: flagSet(flags(t.flags), TOKEN_FLAGS),
        mechanisms,
        ulMaxSessionCount: counter(t.ulMaxSessionCount, this.#native.ulongBytes),
        ulSessionCount: counter(t.ulSessionCount, this.#native.ulongBytes),
        ulMaxRwSessionCount: counter(t.ulMaxRwSessionCount, this.#native.ulongBytes),
        ulRwSessionCount: counter(t.ulRwSessionCount, this.#native.ulongBytes),
        ulMaxPinLen: counter(t.ulMaxPinLen, this.#native.ulongBytes),
        ulMinPinLen: counter(t.ulMinPinLen, this.#native.ulongBytes),
        ulTotalPublicMemory: counter(t.ulTotalPublicMemory, this.#native.ulongBytes),
        ulFreePublicMemory: counter(t.ulFreePublicMemory, this.#native.ulongBytes),
        ulTotalPrivateMemory: counter(t.ulTotalPrivateMemory, this.#native.ulongBytes),
        ulFreePrivateMemory: counter(t.ulFreePrivateMemory, this.#native.ulongBytes),
        hardwareVersion: version(t.hardwareVersion),
        firmwareVersion: version(t.firmwareVersion),
      };
    });
  }

  /** The token's X.509 certificates (no login needed: certificates are public objects). */
  certificates(slotId: number): Promise<Pkcs11Certificate[]> {
    return this.#exclusive(async () => {
      await this.#tokenRecord(slotId);
      return this.#withSession(slotId, (session) => this.#certificates(session));
    });
  }

  /**
   * Logs in and out again, with the PIN or through the token's protected authentication path.
   * Wrong PIN: PIN_INCORRECT (tries left when the token tells); locked: PIN_BLOCKED; entry
   * cancelled on the token: PIN_CANCELLED.
   */
  verifyPin(slotId: number, pin: Pkcs11Pin): Promise<void> {
    return this.#exclusive(async () => {
      try {
        await this.#tokenRecord(slotId);
        await this.#withSession(slotId, async (session) => {
          await this.#login(slotId, session, CKU_USER, pin);
          await this.#logout(session);
        });
      } finally {
        wipePin(pin);
      }
    });
  }

  /**
   * Whether this process is logged in to the token (login state is per application, so a fresh
   * session shows it). After every operation of this class it is false.
   */
  loggedIn(slotId: number): Promise<boolean> {
    return this.#exclusive(async () => {
      await this.#tokenRecord(slotId);
      return this.#withSession(slotId, async (session) => {
        const info: CkStruct = {};
        check('C_GetSessionInfo', await this.#call(this.#native.getSessionInfo, session, info));
        return USER_STATES.has(flags(info.state));
      });
    });
  }

  /** Signs a digest with the key of a certificate (by id, or the first of the usage asked for). */
  sign(request: Pkcs11SignRequest): Promise<Pkcs11Signature> {
    return this.#exclusive(async () => {
      try {
        await this.#tokenRecord(request.slotId);
        return await this.#withSession(request.slotId, async (session) => {
          await this.#login(request.slotId, session, CKU_USER, request.pin);
          try {
            return await this.#signLoggedIn(session, request);
          } finally {
            await this.#logout(session);
          }
        });
      } finally {
        wipePin(request.pin);
      }
    });
  }

  async #signLoggedIn(session: number, request: Pkcs11SignRequest): Promise<Pkcs11Signature> {
    const certificates = await this.#certificates(session);
    const wanted = request.certificateId?.toUpperCase();
    const certificate = wanted !== undefined
      ? certificates.find((c) => c.id === wanted)
      : certificates.find((c) => c.usage === (request.usage ?? 'nonRepudiation'));
    if (!certificate) {
      throw new SmartCardError('PKCS11_KEY_NOT_FOUND', wanted !== undefined ? `no certificate with id ${wanted} on the token` : `no ${request.usage ?? 'nonRepudiation'} certificate on the token`);
    }
    const id = Buffer.from(certificate.id, 'hex');
    const [key] = await this.#find(session, [ulongAttribute(this.#native.ulongBytes, CKA_CLASS, CKO_PRIVATE_KEY), bytesAttribute(CKA_ID, id)]);
    if (key === undefined) throw new SmartCardError('PKCS11_KEY_NOT_FOUND', `no private key with id ${certificate.id} on the token`);
    const keyTypeBytes = await this.#attribute(session, key, CKA_KEY_TYPE);
    const ckk = keyTypeBytes ? readUlong(keyTypeBytes, this.#native.ulongBytes) : -1;
    const keyType: KeyType | undefined = ckk === CKK_RSA ? 'rsa' : ckk === CKK_EC ? 'ec' : undefined;
    if (!keyType) throw new SmartCardError('ALGORITHM_UNSUPPORTED', `the key ${certificate.id} is neither RSA nor EC`);
    const alwaysAuthenticate = (await this.#attribute(session, key, CKA_ALWAYS_AUTHENTICATE))?.[0] === 1;
    const mechanism = signMechanism(keyType, request.digestAlgorithm, request.digest, request.rsaScheme ?? 'pkcs1', this.#native.ulongBytes);
    const ckMechanism = {
      mechanism: mechanism.mechanism,
      pParameter: mechanism.parameter,
      ulParameterLen: mechanism.parameter ? mechanism.parameter.byteLength : 0,
    };
    check('C_SignInit', await this.#call(this.#native.signInit, session, ckMechanism, key));
    // A qualified-signature key (CKA_ALWAYS_AUTHENTICATE) wants the PIN again for each signature.
    if (alwaysAuthenticate) await this.#login(request.slotId, session, CKU_CONTEXT_SPECIFIC, request.pin);
    let signature = new Uint8Array(1024);
    const length = [signature.length];
    let rv = await this.#call(this.#native.sign, session, mechanism.data, mechanism.data.length, signature, length);
    if (rv === CKR_BUFFER_TOO_SMALL) {
      signature = new Uint8Array(Number(length[0]));
      rv = await this.#call(this.#native.sign, session, mechanism.data, mechanism.data.length, signature, length);
    }
    check('C_Sign', rv);
    return { signature: signature.slice(0, Number(length[0])), keyType, mechanism: mechanism.name, certificateId: certificate.id };
  }

  async #certificates(session: number): Promise<Pkcs11Certificate[]> {
    const width = this.#native.ulongBytes;
    const handles = await this.#find(session, [ulongAttribute(width, CKA_CLASS, CKO_CERTIFICATE), ulongAttribute(width, CKA_CERTIFICATE_TYPE, CKC_X_509)]);
    const certificates: Pkcs11Certificate[] = [];
    for (const handle of handles) {
      const der = await this.#attribute(session, handle, CKA_VALUE);
      if (!der || der.length === 0) continue;
      const id = (await this.#attribute(session, handle, CKA_ID)) ?? new Uint8Array(0);
      const label = await this.#attribute(session, handle, CKA_LABEL);
      certificates.push({ id: toHex(id), label: text(label), der, ...describeCertificate(der) });
    }
    return certificates;
  }

  async #find(session: number, template: AttributeEntry[]): Promise<number[]> {
    check('C_FindObjectsInit', await this.#call(this.#native.findObjectsInit, session, template, template.length));
    const handles: number[] = [];
    try {
      for (;;) {
        const batch = new UlongArray(this.#native.ulongBytes, 16);
        const found = [0];
        check('C_FindObjects', await this.#call(this.#native.findObjects, session, batch.raw, 16, found));
        const n = Number(found[0]);
        for (let i = 0; i < n; i++) handles.push(batch.get(i));
        if (n < 16) break;
      }
    } finally {
      await this.#call(this.#native.findObjectsFinal, session);
    }
    return handles;
  }

  /** One attribute's bytes, or undefined when the object has no such attribute. */
  async #attribute(session: number, handle: number, type: number): Promise<Uint8Array | undefined> {
    const width = this.#native.ulongBytes;
    const probe = [emptyAttribute(type)];
    if (await this.#call(this.#native.getAttributeValue, session, handle, probe, 1) !== CKR_OK) return undefined;
    const [first] = probe;
    const length = first ? attributeLength(first, width) : undefined;
    if (length === undefined) return undefined;
    const value = new Uint8Array(length);
    const read = [bytesAttribute(type, value)];
    check('C_GetAttributeValue', await this.#call(this.#native.getAttributeValue, session, handle, read, 1));
    const [second] = read;
    return value.subarray(0, second ? attributeLength(second, width) ?? 0 : 0);
  }

  async #login(slotId: number, session: number, userType: number, pin: Pkcs11Pin): Promise<void> {
    const onToken = pin === PROTECTED_AUTHENTICATION_PATH;
    if (onToken) {
      const t = await this.#tokenRecord(slotId);
      if ((flags(t.flags) & CKF_PROTECTED_AUTHENTICATION_PATH) === 0) {
        throw new SmartCardError('PIN_REQUIRED', 'the token has no protected authentication path (PIN pad): it needs the PIN');
      }
    }
    // PKCS#11 v2.40 C_Login: a NULL PIN on a token with a protected authentication path.
    const rv = onToken
      ? await this.#call(this.#native.login, session, userType, null, 0)
      : await this.#call(this.#native.login, session, userType, pin, pin.length);
    if (rv === CKR_OK) return;
    const error = ckrError('C_Login', rv);
    if (onToken && error.code === 'PIN_CANCELLED') {
      throw new SmartCardError('PIN_CANCELLED', 'PIN entry on the token (protected authentication path) was cancelled', { ...error.details, protectedPath: true });
    }
    if (!isSmartCardError(error, 'PIN_INCORRECT')) throw error;
    // PKCS#11 gives no counter, only flags: final try and locked are the two it can tell.
    const t = await this.#tokenRecord(slotId).catch(() => undefined);
    const state = t ? flagSet(flags(t.flags), TOKEN_FLAGS) : undefined;
    const wrong = onToken ? 'wrong PIN entered on the token' : 'wrong PIN';
    // `protectedPath` tells the API the PIN was typed on the token, not sent by the page.
    const path: Record<string, boolean> = onToken ? { protectedPath: true } : {};
    if (state?.isUserPinLocked) throw new SmartCardError('PIN_BLOCKED', `${wrong}; the PIN is now blocked`, { triesLeft: 0, ...path });
    if (state?.isUserPinFinalTry) throw new SmartCardError('PIN_INCORRECT', `${wrong}, 1 try left`, { triesLeft: 1, ...path });
    throw new SmartCardError('PIN_INCORRECT', wrong, { pinCountLow: state?.isUserPinCountLow ?? false, ...path });
  }

  async #logout(session: number): Promise<void> {
    await this.#call(this.#native.logout, session);
  }

  async #withSession<T>(slotId: number, body: (session: number) => Promise<T>): Promise<T> {
    const out = [0];
    check('C_OpenSession', await this.#call(this.#native.openSession, slotId, CKF_SERIAL_SESSION, null, null, out));
    const session = Number(out[0]);
    try {
      return await body(session);
    } finally {
      await this.#call(this.#native.closeSession, session);
    }
  }

  async #slotIds(): Promise<number[]> {
    const count = [0];
    check('C_GetSlotList', await this.#call(this.#native.getSlotList, 0, null, count));
    const list = new UlongArray(this.#native.ulongBytes, Number(count[0]));
    check('C_GetSlotList', await this.#call(this.#native.getSlotList, 0, list.raw, count));
    return Array.from({ length: Number(count[0]) }, (_, i) => list.get(i));
  }

  /** CK_TOKEN_INFO of a slot that exists and holds a token; typed errors otherwise. */
  async #tokenRecord(slotId: number): Promise<CkStruct> {
    if (!(await this.#slotIds()).includes(slotId)) throw new SmartCardError('PKCS11_SLOT_UNKNOWN', `no PKCS#11 slot ${slotId}`);
    const slot: CkStruct = {};
    check('C_GetSlotInfo', await this.#call(this.#native.getSlotInfo, slotId, slot));
    if ((flags(slot.flags) & CKF_TOKEN_PRESENT) === 0) throw new SmartCardError('PKCS11_TOKEN_ABSENT', `no token in slot ${slotId}`);
    const t: CkStruct = {};
    check('C_GetTokenInfo', await this.#call(this.#native.getTokenInfo, slotId, t));
    return t;
  }

  #call(fn: NativeFunction, ...args: unknown[]): Promise<number> {
    if (this.#closed) return Promise.reject(new SmartCardError('PKCS11_ERROR', 'the PKCS#11 library was closed'));
    return callAsync(fn, ...args);
  }

  /**
   * Runs `body` after every call queued before it. Past maxWaitMs in the queue it gives up with
   * PKCS11_BUSY (unless `patient`, for close); the calls behind it still wait for the ones ahead.
   */
  #exclusive<T>(body: () => Promise<T>, patient = false): Promise<T> {
    const before = this.#queue;
    let timer: NodeJS.Timeout | undefined;
    const turn = patient ? before.then(() => true) : Promise.race([
      before.then(() => true),
      new Promise<false>((resolve) => {
        timer = setTimeout(() => resolve(false), this.#maxWaitMs);
      }),
    ]);
    const run = turn.then((ours) => {
      clearTimeout(timer);
      if (!ours) throw new SmartCardError('PKCS11_BUSY', 'the PKCS#11 library is busy with another operation (a PIN being entered on a token?)');
      return body();
    });
    const settled = run.then(() => undefined, () => undefined);
    this.#queue = before.then(() => settled);
    return run;
  }
}
