import { SmartCardError } from '../errors.js';
import { toHex } from './hex.js';

/**
 * An ISO 7816-4 command. `ne` is the number of response bytes expected: 0 = no Le field,
 * 1..256 fit a short Le (256 is sent as 00), up to 65536 needs extended length.
 */
export interface CommandApdu {
  readonly cla: number;
  readonly ins: number;
  readonly p1: number;
  readonly p2: number;
  readonly data: Uint8Array;
  readonly ne: number;
}

export interface ResponseApdu {
  readonly data: Uint8Array;
  readonly sw: number;
}

const EMPTY = new Uint8Array(0);

function checkByte(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 0 || value > 0xff) throw new RangeError(`${name} must be a byte, got ${value}`);
}

export function command(cla: number, ins: number, p1: number, p2: number, data: Uint8Array = EMPTY, ne = 0): CommandApdu {
  checkByte('CLA', cla);
  checkByte('INS', ins);
  checkByte('P1', p1);
  checkByte('P2', p2);
  if (data.length > 65535) throw new RangeError('command data longer than 65535 bytes');
  if (!Number.isInteger(ne) || ne < 0 || ne > 65536) throw new RangeError(`Ne must be 0..65536, got ${ne}`);
  return { cla, ins, p1, p2, data, ne };
}

/** Short form unless the data or Ne need extended length. Written straight into the output (it runs for every APDU). */
export function encodeCommand(apdu: CommandApdu): Uint8Array {
  const { data, ne } = apdu;
  const extended = data.length > 255 || ne > 256;
  const lcLength = data.length === 0 ? 0 : extended ? 3 : 1;
  const leLength = ne === 0 ? 0 : !extended ? 1 : data.length === 0 ? 3 : 2;
  const out = new Uint8Array(4 + lcLength + data.length + leLength);
  out[0] = apdu.cla;
  out[1] = apdu.ins;
  out[2] = apdu.p1;
  out[3] = apdu.p2;
  let at = 4;
  if (data.length > 0) {
    if (extended) {
      out[at++] = 0;
      out[at++] = data.length >> 8;
    }
    out[at++] = data.length & 0xff;
    out.set(data, at);
    at += data.length;
  }
  if (ne > 0) {
    if (!extended) out[at] = ne === 256 ? 0 : ne;
    else {
      const le = ne === 65536 ? 0 : ne;
      if (data.length === 0) out[at++] = 0;
      out[at++] = le >> 8;
      out[at] = le & 0xff;
    }
  }
  return out;
}

function malformed(reason: string, bytes: Uint8Array): SmartCardError {
  return new SmartCardError('APDU_MALFORMED', `malformed command APDU: ${reason}`, { apdu: toHex(bytes.subarray(0, 16)) });
}

/** Decodes all seven ISO 7816-4 cases (1, 2S/E, 3S/E, 4S/E); used by virtual cards. */
export function parseCommand(bytes: Uint8Array): CommandApdu {
  if (bytes.length < 4) throw malformed('shorter than 4 bytes', bytes);
  const [cla = 0, ins = 0, p1 = 0, p2 = 0] = bytes;
  const body = bytes.subarray(4);
  const make = (data: Uint8Array, ne: number): CommandApdu => ({ cla, ins, p1, p2, data: Uint8Array.from(data), ne });
  if (body.length === 0) return make(EMPTY, 0);
  const b0 = body[0] ?? 0;
  if (body.length === 1) return make(EMPTY, b0 === 0 ? 256 : b0);
  if (b0 !== 0) {
    // short Lc
    if (body.length === 1 + b0) return make(body.subarray(1), 0);
    if (body.length === 2 + b0) {
      const le = body[1 + b0] ?? 0;
      return make(body.subarray(1, 1 + b0), le === 0 ? 256 : le);
    }
    throw malformed(`Lc ${b0} does not match ${body.length - 1} data bytes`, bytes);
  }
  // extended: 00 followed by two bytes
  if (body.length < 3) throw malformed('truncated extended length', bytes);
  const n = ((body[1] ?? 0) << 8) | (body[2] ?? 0);
  if (body.length === 3) return make(EMPTY, n === 0 ? 65536 : n);
  if (n === 0) throw malformed('extended Lc of zero', bytes);
  if (body.length === 3 + n) return make(body.subarray(3), 0);
  if (body.length === 5 + n) {
    const le = ((body[3 + n] ?? 0) << 8) | (body[4 + n] ?? 0);
    return make(body.subarray(3, 3 + n), le === 0 ? 65536 : le);
  }
  throw malformed(`extended Lc ${n} does not match ${body.length - 3} bytes`, bytes);
}

export function parseResponse(bytes: Uint8Array): ResponseApdu {
  if (bytes.length < 2) {
    throw new SmartCardError('APDU_MALFORMED', `response APDU of ${bytes.length} bytes has no status word`);
  }
  const n = bytes.length;
  return { data: new Uint8Array(bytes.subarray(0, n - 2)), sw: ((bytes[n - 2] ?? 0) << 8) | (bytes[n - 1] ?? 0) };
}

export function encodeResponse(data: Uint8Array, sw: number): Uint8Array {
  const out = new Uint8Array(data.length + 2);
  out.set(data);
  out[data.length] = sw >> 8;
  out[data.length + 1] = sw & 0xff;
  return out;
}
