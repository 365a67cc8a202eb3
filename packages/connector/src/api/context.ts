import type { HostPolicy } from '@t1c/ds/client';
import type { ModuleName, OpArgs, OpName, OpResult, PcscState, ReaderInfo } from '../ipc/index.js';
import type { DsLink } from '../ds-client/index.js';
import type { DeviceKey } from '../security/device-key.js';
import type { SeenCiphertexts } from '../security/seen-ciphertexts.js';
import type { JwtVerifier } from '../security/jwt.js';
import type { PinDialog } from '../os/pin-dialog.js';
import type { BulkPins } from './bulk-pins.js';
import type { Pkcs11LibraryConfig } from '../config/pkcs11-libraries.js';

/**
 * Cards as the routes reach them: only through the IPC contract. The sandbox client implements
 * it; unit tests may fake it.
 */
export interface ApiCards {
  listReaders(): Promise<{ readers: ReaderInfo[]; pcsc: PcscState }>;
  /** True when the last listing gave this reader id (no sandbox call). */
  isListed(readerId: string): boolean;
  /** One op of the contract, on the reader with this public id (null for ops that name none). */
  call<M extends ModuleName, O extends OpName<M>>(module: M, op: O, readerId: string | null, args: OpArgs<M, O>): Promise<OpResult<M, O>>;
}

export interface ApiPolicy {
  readonly allowOrigins: readonly string[];
  readonly allowNoOrigin: boolean;
  readonly allowPlainPin: boolean;
  readonly pinRateLimitPerMinute: number;
  readonly bodyLimitBytes: number;
}

/** What the fastify factory is built from: every dependency explicit, so tests can inject. */
export interface ApiContext {
  readonly cards: ApiCards;
  readonly deviceKey: DeviceKey;
  readonly jwt: JwtVerifier | undefined;
  readonly policy: ApiPolicy;
  readonly pinDialog: PinDialog;
  readonly bulkPins: BulkPins;
  /** The PKCS#11 library path per OS (`pkcs11/config`); the sandbox loads this OS's one. */
  readonly pkcs11: Pkcs11LibraryConfig;
  /** The Host headers served (DNS-rebinding defence); checked before anything else. */
  readonly hosts: HostPolicy;
  /** Encrypted PINs already accepted under the device key: each is accepted once. */
  readonly seenPins: SeenCiphertexts;
  /** Milliseconds since the epoch (PIN freshness); injectable for tests. */
  readonly now: () => number;
  /** For /info: how this API is reached. */
  readonly service: { readonly url: string; readonly port: number };
  /** Present when the connector syncs with a Distribution Service. */
  readonly ds?: { readonly url: string; readonly link: DsLink };
}
