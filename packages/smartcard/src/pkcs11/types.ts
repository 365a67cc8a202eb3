import type { MECHANISM_FLAGS, TOKEN_FLAGS } from './constants.js';

export interface Pkcs11LibraryInfo {
  readonly path: string;
  readonly cryptokiVersion: string;
  readonly manufacturerId: string;
  readonly description: string;
  readonly libraryVersion: string;
}

/** A slot, and the token in it when there is one. The connector presents each slot as a reader. */
export interface Pkcs11Slot {
  readonly slotId: number;
  readonly description: string;
  readonly manufacturerId: string;
  readonly removable: boolean;
  readonly hardware: boolean;
  readonly token?: {
    readonly label: string;
    readonly serialNumber: string;
    readonly manufacturerId: string;
    readonly model: string;
    /** CKF_PROTECTED_AUTHENTICATION_PATH: the user authenticates on the token or its reader (PIN pad, biometrics). */
    readonly protectedAuthenticationPath: boolean;
  };
}

/**
 * How C_Login authenticates: the PIN as UTF-8 bytes (the binding zeroes them once the token has
 * them), or PROTECTED_AUTHENTICATION_PATH: C_Login with a NULL PIN, and the token asks the user
 * itself. The latter is refused with PIN_REQUIRED on a token without that path.
 */
export const PROTECTED_AUTHENTICATION_PATH = 'protectedAuthenticationPath';
export type Pkcs11Pin = Uint8Array | typeof PROTECTED_AUTHENTICATION_PATH;

export interface Pkcs11Mechanism {
  /** CKM_ name, or the number in hex for mechanisms this binding has no name for. */
  readonly mechanism: string;
  readonly flags: Readonly<Record<keyof typeof MECHANISM_FLAGS, boolean>>;
  readonly ulMinKeySize: number;
  readonly ulMaxKeySize: number;
}

/**
 * CK_TOKEN_INFO in the field names of T1C's PKCS11TokenInfo (t1c-api.md §2.3.3). Counters the
 * token does not report (CK_UNAVAILABLE_INFORMATION) are -1.
 */
export interface Pkcs11TokenInfo {
  readonly slot: number;
  readonly label: string;
  readonly manufacturerId: string;
  readonly model: string;
  readonly serialNumber: string;
  readonly flags: Readonly<Record<keyof typeof TOKEN_FLAGS, boolean>>;
  readonly mechanisms: readonly Pkcs11Mechanism[];
  readonly ulMaxSessionCount: number;
  readonly ulSessionCount: number;
  readonly ulMaxRwSessionCount: number;
  readonly ulRwSessionCount: number;
  readonly ulMaxPinLen: number;
  readonly ulMinPinLen: number;
  readonly ulTotalPublicMemory: number;
  readonly ulFreePublicMemory: number;
  readonly ulTotalPrivateMemory: number;
  readonly ulFreePrivateMemory: number;
  readonly hardwareVersion: string;
  readonly firmwareVersion: string;
}

/** What a certificate's X.509 key usage says it is for; CA certificates are `authority`. */
export type CertificateUsage = 'authentication' | 'nonRepudiation' | 'authority' | 'other';
export type KeyType = 'rsa' | 'ec';

export interface Pkcs11Certificate {
  /** CKA_ID in upper-case hex: it names the private key that goes with the certificate. */
  readonly id: string;
  readonly label: string;
  readonly der: Uint8Array;
  readonly usage: CertificateUsage;
  readonly keyType: KeyType | 'other';
}

export type DigestName = 'SHA-1' | 'SHA-256' | 'SHA-384' | 'SHA-512';

export interface Pkcs11SignRequest {
  readonly slotId: number;
  /** Which key: by certificate id (CKA_ID hex), or else the first certificate of this usage. */
  readonly certificateId?: string;
  readonly usage?: 'authentication' | 'nonRepudiation';
  readonly digestAlgorithm: DigestName;
  /** The digest to sign; RSA keys get a DigestInfo around it (PKCS#1 v1.5) or PSS with MGF1 of the same hash. */
  readonly digest: Uint8Array;
  readonly rsaScheme?: 'pkcs1' | 'pss';
  readonly pin: Pkcs11Pin;
}

export interface Pkcs11Signature {
  /** RSA: the signature block. EC: r‖s, each the length of the curve order (PKCS#11 CKM_ECDSA). */
  readonly signature: Uint8Array;
  readonly keyType: KeyType;
  readonly mechanism: string;
  readonly certificateId: string;
}
