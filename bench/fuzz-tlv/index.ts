// Feeds mutated identity/address files, token info, card data, ATRs and response APDUs through
// the parsers and counts exceptions that are not typed SmartCardErrors (the target is 0).
// Usage: node --import tsx bench/fuzz-tlv/index.ts [cases=1000000] [seed=1]
import { encodeTlv, fromHex, isSmartCardError, parseAtr, parseCommand, parseResponse, decodeTlv } from '@t1c/smartcard';
import { certificateFromFile, parseAddress, parseCardData, parseIdentity, parseTokenInfo } from '@t1c/smartcard/beid';

const total = Number(process.argv[2] ?? 1_000_000);
let state = Number(process.argv[3] ?? 1) >>> 0 || 1;
function random(): number {
  state ^= state << 13;
  state >>>= 0;
  state ^= state >>> 17;
  state ^= state << 5;
  state >>>= 0;
  return state;
}

const text = (s: string): Uint8Array => new TextEncoder().encode(s);
const identity = encodeTlv([
  { tag: 0x00, value: Uint8Array.of(0, 1) }, { tag: 0x01, value: text('592123456789') },
  { tag: 0x02, value: fromHex('534C494E0123456789ABCDEF01234567') }, { tag: 0x03, value: text('01.02.2023') },
  { tag: 0x04, value: text('01.02.2033') }, { tag: 0x05, value: text('Bruxelles') }, { tag: 0x06, value: text('71010112345') },
  { tag: 0x07, value: text('Müller-Lüdenscheidt') }, { tag: 0x08, value: text('Ségolène Marie') }, { tag: 0x09, value: text('J') },
  { tag: 0x0a, value: text('Belge') }, { tag: 0x0b, value: text('Liège') }, { tag: 0x0c, value: text('15.MÄR.1980') },
  { tag: 0x0d, value: text('F') }, { tag: 0x0f, value: text('1') }, { tag: 0x10, value: text('0') },
  { tag: 0x11, value: new Uint8Array(48).fill(7) }, { tag: 0x1a, value: new Uint8Array(48).fill(9) },
]);
const address = new Uint8Array(117);
address.set(encodeTlv([{ tag: 0x01, value: text('Rue de la Loi 16') }, { tag: 0x02, value: text('1000') }, { tag: 0x03, value: text('Bruxelles') }]));
const tokenInfo = fromHex('3027020100 0410534C494E0123456789ABCDEF01234567 800642454C504943 03020430 9E0400010203'.replace(/ /g, ''));
const cardData = fromHex('534C494E0123456789ABCDEF01234567F336012501170003002101 0F9000'.replace(/ /g, ''));
const atr = fromHex('3B7F96000080318065B085040120120FFF829000');
const seeds: [string, Uint8Array, (b: Uint8Array) => unknown][] = [
  ['identity', identity, parseIdentity],
  ['address', address, parseAddress],
  ['tlv', identity, decodeTlv],
  ['tokenInfo', tokenInfo, parseTokenInfo],
  ['cardData', cardData, (b) => parseCardData(parseResponse(b).data)],
  ['atr', atr, parseAtr],
  ['commandApdu', fromHex('00A4080C063F00DF014031'), parseCommand],
  ['certificateFile', fromHex(`308203E8${'00'.repeat(40)}`), certificateFromFile],
];

function mutate(seed: Uint8Array): Uint8Array {
  const kind = random() % 6;
  const bytes = Uint8Array.from(seed);
  const at = (): number => (bytes.length === 0 ? 0 : random() % bytes.length);
  switch (kind) {
    case 0: for (let i = 0, n = 1 + (random() % 4); i < n; i++) { const j = at(); bytes[j] = (bytes[j] ?? 0) ^ (1 << (random() % 8)); } return bytes;
    case 1: for (let i = 0, n = 1 + (random() % 4); i < n; i++) bytes[at()] = random() & 0xff; return bytes;
    case 2: return bytes.subarray(0, random() % (bytes.length + 1));
    case 3: { const extra = new Uint8Array(random() % 64).map(() => random() & 0xff); const out = new Uint8Array(bytes.length + extra.length); out.set(bytes); out.set(extra, bytes.length); return out; }
    case 4: bytes[at()] = [0x00, 0xff, 0x80, 0x7f][random() % 4] ?? 0; return bytes;
    default: return new Uint8Array(random() % 300).map(() => random() & 0xff);
  }
}

const untyped = new Map<string, number>();
let typed = 0;
let accepted = 0;
const started = process.hrtime.bigint();
for (let i = 0; i < total; i++) {
  const seed = seeds[i % seeds.length];
  if (!seed) continue;
  const [name, sample, parse] = seed;
  try {
    parse(mutate(sample));
    accepted++;
  } catch (error) {
    if (isSmartCardError(error)) typed++;
    else {
      const key = `${name}: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`;
      untyped.set(key, (untyped.get(key) ?? 0) + 1);
    }
  }
}
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
const untypedCount = [...untyped.values()].reduce((a, b) => a + b, 0);
console.log(`cases ${total}  accepted ${accepted}  typed errors ${typed}  untyped exceptions ${untypedCount}`);
console.log(`throughput ${Math.round(total / seconds)} cases/s (${seconds.toFixed(1)} s)`);
for (const [key, count] of [...untyped.entries()].slice(0, 10)) console.log(`  ${count}× ${key}`);
process.exitCode = untypedCount === 0 ? 0 : 1;
