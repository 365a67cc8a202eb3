/**
 * vpcd's framing: every message is a 2-byte big-endian length and that many bytes. TCP may
 * split or merge frames, so bytes are buffered until whole frames are there.
 */
export class FrameReader {
  private buffer: Buffer = Buffer.alloc(0);

  /** Adds received bytes and returns every frame now complete. */
  push(chunk: Buffer): Buffer[] {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    const frames: Buffer[] = [];
    while (this.buffer.length >= 2) {
      const length = this.buffer.readUInt16BE(0);
      if (this.buffer.length < 2 + length) break;
      frames.push(Buffer.from(this.buffer.subarray(2, 2 + length)));
      this.buffer = this.buffer.subarray(2 + length);
    }
    return frames;
  }
}

export function encodeFrame(payload: Uint8Array): Buffer {
  if (payload.length > 0xffff) throw new RangeError(`vpcd frame of ${payload.length} bytes is too long`);
  const frame = Buffer.allocUnsafe(2 + payload.length);
  frame.writeUInt16BE(payload.length, 0);
  frame.set(payload, 2);
  return frame;
}

/** One-byte control messages from vpcd (VPCD_CTRL_*). */
export const VpcdControl = { off: 0x00, on: 0x01, reset: 0x02, atr: 0x04 } as const;
