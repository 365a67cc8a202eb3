import { delimiter } from 'node:path';
import { SmartCardError } from '@t1c/smartcard/errors';
import { Pkcs11Libraries, PROTECTED_AUTHENTICATION_PATH, type Pkcs11Pin } from '@t1c/smartcard/pkcs11';
import type { PinInput } from '../../ipc/index.js';
import type { CardModule } from '../card-module.js';

/** A slot id as the page sent it: decimal, as the slot list shows it. */
function slotOf(reader: string | null): number {
  if (reader === null || !/^\d{1,10}$/.test(reader)) throw new SmartCardError('PKCS11_SLOT_UNKNOWN', 'a PKCS#11 slot id is a decimal number');
  return Number(reader);
}

/** The API's "use the pinpad" is the token's protected authentication path (C_Login with a NULL PIN). */
function loginWith(pin: PinInput): Pkcs11Pin {
  return pin.kind === 'digits' ? pin.pin : PROTECTED_AUTHENTICATION_PATH;
}

function wipe(pin: Pkcs11Pin): void {
  if (pin !== PROTECTED_AUTHENTICATION_PATH) pin.fill(0);
}

/**
 * Directories beside the known ones (library-path.ts) from which a library may be loaded, set
 * by whoever starts the connector: `T1C_PKCS11_DIRECTORIES`, separated like PATH.
 */
function configuredDirectories(env: NodeJS.ProcessEnv): string[] {
  return (env.T1C_PKCS11_DIRECTORIES ?? '').split(delimiter).filter((d) => d.length > 0);
}

/**
 * The PKCS#11 card module: claims no ATR (a token is reached through its library, not by a
 * reader), loads libraries only here in the sandbox, one C_Initialize per library.
 */
export function pkcs11Module(env: NodeJS.ProcessEnv = process.env): CardModule<'pkcs11'> {
  const libraries = new Pkcs11Libraries({ configuredDirectories: configuredDirectories(env) });
  return {
    name: 'pkcs11',
    atrs: [],
    ops: {
      checkLibrary: async ({ library }) => {
        try {
          return { path: libraries.check(library), installed: true };
        } catch (error) {
          if (error instanceof SmartCardError && error.code === 'PKCS11_LIBRARY_MISSING') return { path: library, installed: false };
          throw error;
        }
      },
      slots: async ({ library }) => ({ slots: await (await libraries.module(library)).slots() }),
      tokenInfo: async ({ library }, reader) => {
        const slot = slotOf(reader);
        const info = await (await libraries.module(library)).tokenInfo(slot);
        return { ...info, mechanisms: [...info.mechanisms] };
      },
      certificates: async ({ library }, reader) => {
        const slot = slotOf(reader);
        return { certificates: await (await libraries.module(library)).certificates(slot) };
      },
      verifyPin: async ({ library, pin }, reader) => {
        const login = loginWith(pin);
        try {
          const slot = slotOf(reader);
          await (await libraries.module(library)).verifyPin(slot, login);
        } finally {
          wipe(login);
        }
        return { verified: true };
      },
      sign: async ({ library, usage, certificateId, algorithm, digest, pin }, reader) => {
        const login = loginWith(pin);
        try {
          const slotId = slotOf(reader);
          const module = await libraries.module(library);
          return await module.sign({
            slotId, usage, digestAlgorithm: algorithm, digest, pin: login,
            ...(certificateId !== undefined ? { certificateId } : {}),
          });
        } finally {
          wipe(login);
        }
      },
    },
    close: () => libraries.close(),
  };
}
