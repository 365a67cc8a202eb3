// Runtime exports of dns-packet that @types/dns-packet does not declare: the per-type rdata
// codecs (each writes a 2-byte length, then the rdata) and the name codec (uncompressed).
import 'dns-packet';

declare module 'dns-packet' {
  export interface RdataCodec {
    encode(data: unknown): Buffer;
  }
  export function record(type: string): RdataCodec;
  export const name: { encode(name: string): Buffer };
}
