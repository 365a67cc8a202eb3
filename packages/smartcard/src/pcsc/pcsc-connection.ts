import { SmartCardError } from '../errors.js';
import type { CardConnection, Disposition, Protocol, ReaderFeatures } from '../reader/types.js';
import * as C from './constants.js';
import { pcscError } from './errors.js';
import { CM_IOCTL_GET_FEATURE_REQUEST_CODE, callAsync, controlCode, type PcscNative } from './native.js';

const PROTOCOL_BITS: Record<Protocol, number> = { T0: 1, T1: 2, RAW: 4 };

export function protocolMask(protocols: readonly Protocol[]): number {
  return protocols.reduce((mask, p) => mask | PROTOCOL_BITS[p], 0);
}

function protocolName(bits: number): Protocol {
  if (bits === 1) return 'T0';
  if (bits === 2) return 'T1';
  return 'RAW';
}

const DISPOSITIONS: Record<Disposition, number> = {
  leave: C.SCARD_LEAVE_CARD,
  reset: C.SCARD_RESET_CARD,
  unpower: C.SCARD_UNPOWER_CARD,
  eject: C.SCARD_EJECT_CARD,
};

/** Parses the GET_FEATURE_REQUEST answer: (tag, 04, control code big-endian) repeated. */
export function parseFeatures(bytes: Uint8Array): ReaderFeatures {
  const found = new Map<number, number>();
  for (let i = 0; i + 6 <= bytes.length; i += 6) {
    if (bytes[i + 1] !== 4) break;
    found.set(bytes[i] ?? 0, Buffer.from(bytes.subarray(i + 2, i + 6)).readUInt32BE(0));
  }
  const pick = (tag: number): number | undefined => found.get(tag);
  const features: { -readonly [K in keyof ReaderFeatures]: ReaderFeatures[K] } = {};
  const verify = pick(C.FEATURE_VERIFY_PIN_DIRECT);
  const modify = pick(C.FEATURE_MODIFY_PIN_DIRECT);
  const pinProps = pick(C.FEATURE_IFD_PIN_PROPERTIES);
  const tlvProps = pick(C.FEATURE_GET_TLV_PROPERTIES);
  if (verify !== undefined) features.verifyPinDirect = verify;
  if (modify !== undefined) features.modifyPinDirect = modify;
  if (pinProps !== undefined) features.pinProperties = pinProps;
  if (tlvProps !== undefined) features.tlvProperties = tlvProps;
  return features;
}

export class PcscConnection implements CardConnection {
  private open = true;
  private cachedFeatures: ReaderFeatures | undefined;
  /** One response buffer per connection: zero-filling 64 KiB for every APDU was a third of the floor. */
  private readonly response = Buffer.alloc(65538);
  private responseBusy = false;
  private readonly ioRequest: { dwProtocol: number; cbPciLength: number };

  private constructor(
    private readonly native: PcscNative,
    readonly readerName: string,
    private readonly handle: number,
    private readonly protocolBits: number,
    readonly atr: Uint8Array,
  ) {
    this.ioRequest = { dwProtocol: protocolBits, cbPciLength: native.platform === 'linux' ? 16 : 8 };
  }

  get protocol(): Protocol {
    return protocolName(this.protocolBits);
  }

  static async open(native: PcscNative, readerName: string, handle: number, protocolBits: number): Promise<PcscConnection> {
    const nameLength = [1024];
    const name = Buffer.alloc(1024);
    const state = [0];
    const proto = [0];
    const atr = Buffer.alloc(40);
    const atrLength = [atr.length];
    const rv = await callAsync(native.status, handle, name, nameLength, state, proto, atr, atrLength);
    if (rv !== C.SCARD_S_SUCCESS) throw pcscError('SCardStatus', rv);
    return new PcscConnection(native, readerName, handle, protocolBits, Uint8Array.from(atr.subarray(0, atrLength[0])));
  }

  async transmit(command: Uint8Array): Promise<Uint8Array> {
    this.assertOpen();
    // Overlapping transmits on one handle are not expected; if one happens it gets its own buffer.
    const shared = !this.responseBusy;
    const response = shared ? this.response : Buffer.alloc(65538);
    this.responseBusy = true;
    let received = 0;
    try {
      const length = [response.length];
      const rv = await callAsync(this.native.transmit, this.handle, this.ioRequest, Buffer.from(command), command.length, null, response, length);
      if (rv !== C.SCARD_S_SUCCESS) throw pcscError('SCardTransmit', rv);
      received = Math.min(length[0] ?? 0, response.length);
      // Some drivers (vpcd among them) report a card pulled mid-command as an empty answer.
      if (received < 2) throw await this.explainEmptyAnswer();
      return Uint8Array.from(response.subarray(0, received));
    } finally {
      // The answer may be personal data: nothing stays in the reused buffer.
      response.fill(0, 0, received);
      if (shared) this.responseBusy = false;
    }
  }

  /** The service notices a pulled card at its next presence poll (vpcd: ~0.4 s); wait that long to name it. */
  private async explainEmptyAnswer(): Promise<SmartCardError> {
    for (let attempt = 0; attempt < 8; attempt++) {
      const rv = await callAsync(this.native.status, this.handle, Buffer.alloc(1024), [1024], [0], [0], Buffer.alloc(40), [40]);
      if (rv !== C.SCARD_S_SUCCESS) return pcscError('SCardTransmit', rv);
      await new Promise((resolve) => setTimeout(resolve, 150));
    }
    return new SmartCardError('PCSC_COMM_ERROR', 'SCardTransmit returned no status word', { call: 'SCardTransmit' });
  }

  async control(code: number, data: Uint8Array): Promise<Uint8Array> {
    this.assertOpen();
    const out = Buffer.alloc(4096);
    const returned = [0];
    const rv = await callAsync(this.native.control, this.handle, code, Buffer.from(data), data.length, out, out.length, returned);
    if (rv !== C.SCARD_S_SUCCESS) throw pcscError('SCardControl', rv);
    return Uint8Array.from(out.subarray(0, returned[0]));
  }

  async features(): Promise<ReaderFeatures> {
    if (this.cachedFeatures) return this.cachedFeatures;
    try {
      this.cachedFeatures = parseFeatures(await this.control(controlCode(CM_IOCTL_GET_FEATURE_REQUEST_CODE), new Uint8Array(0)));
    } catch (error) {
      // Readers without part-10 support (vpcd among them) answer "unsupported": no features.
      if (error instanceof SmartCardError && (error.code === 'PCSC_UNSUPPORTED' || error.code === 'PCSC_INVALID_PARAMETER' || error.code === 'PCSC_ERROR')) {
        this.cachedFeatures = {};
      } else throw error;
    }
    return this.cachedFeatures;
  }

  async beginTransaction(): Promise<void> {
    this.assertOpen();
    const rv = await callAsync(this.native.beginTransaction, this.handle);
    if (rv !== C.SCARD_S_SUCCESS) throw pcscError('SCardBeginTransaction', rv);
  }

  async endTransaction(disposition: Disposition = 'leave'): Promise<void> {
    if (!this.open) return;
    const rv = await callAsync(this.native.endTransaction, this.handle, DISPOSITIONS[disposition]);
    if (rv !== C.SCARD_S_SUCCESS) throw pcscError('SCardEndTransaction', rv);
  }

  async disconnect(disposition: Disposition = 'leave'): Promise<void> {
    if (!this.open) return;
    this.open = false;
    const rv = await callAsync(this.native.disconnect, this.handle, DISPOSITIONS[disposition]);
    // A card already removed leaves nothing to release; anything else is worth reporting.
    if (rv !== C.SCARD_S_SUCCESS && (rv >>> 0) !== 0x80100003 && (rv >>> 0) !== 0x80100069) throw pcscError('SCardDisconnect', rv);
  }

  private assertOpen(): void {
    if (!this.open) throw new SmartCardError('PCSC_CARD_REMOVED', 'the card connection is closed');
  }
}

