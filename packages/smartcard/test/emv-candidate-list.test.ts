import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { encodeBerTlv, fromHex, isSmartCardError, toHex } from '@t1c/smartcard';
import {
  answersTerminalAid, buildCandidateList, judgeSelection, MAX_OCCURRENCES, parseAdfFci, TERMINAL_AIDS,
  type SelectAnswer, type SelectByName, type TerminalAid,
} from '@t1c/smartcard/emv';

const tlv = (tag: number, ...parts: Uint8Array[]): Uint8Array => encodeBerTlv(tag, Buffer.concat(parts));
const ascii = (text: string): Uint8Array => Uint8Array.from(Buffer.from(text, 'latin1'));

/** An ADF FCI (Book 1 Table 45) as a card answers SELECT. */
function fci(dfName: string, label: string, priority?: number): Uint8Array {
  return tlv(0x6f, tlv(0x84, fromHex(dfName)), tlv(0xa5, tlv(0x50, ascii(label)), ...(priority === undefined ? [] : [tlv(0x87, Uint8Array.of(priority))])));
}

const ok = (data: Uint8Array): SelectAnswer => ({ sw: 0x9000, data });
const status = (sw: number): SelectAnswer => ({ sw, data: new Uint8Array(0) });

interface ModelAdf { readonly name: string; readonly label: string; readonly priority?: number; readonly blocked?: boolean }

/**
 * ISO 7816-4 partial-name selection over a list of ADFs in card order, for the selection
 * logic alone (the pcscd tests run the same against the emulator's card). Records the
 * SELECTs the logic sent.
 */
function modelCard(adfs: readonly ModelAdf[], sent: string[] = []): SelectByName {
  let current = -1;
  return async (name, occurrence) => {
    const prefix = toHex(name);
    sent.push(`${occurrence}:${prefix}`);
    const from = occurrence === 'next' ? current + 1 : 0;
    if (occurrence === 'next' && (current < 0 || !adfs[current]?.name.startsWith(prefix))) return status(0x6a82);
    const index = adfs.findIndex((adf, i) => i >= from && adf.name.startsWith(prefix));
    const adf = adfs[index];
    if (!adf) return status(0x6a82);
    current = index;
    return adf.blocked ? status(0x6283) : ok(fci(adf.name, adf.label, adf.priority));
  };
}

const VISA: TerminalAid = { aid: 'A0000000031010', scheme: 'Visa', partial: true };
const VISA_EXACT: TerminalAid = { ...VISA, partial: false };

describe('the terminal AID list', () => {
  it('holds the confirmed scheme AIDs, each 5 to 16 bytes of upper-case hex, once', () => {
    assert.deepEqual(TERMINAL_AIDS.map((t) => t.aid), ['A0000000031010', 'A0000000032010', 'A0000000032020', 'A0000000041010', 'A0000000043060', 'A00000002501']);
    for (const t of TERMINAL_AIDS) assert.match(t.aid, /^(?:[0-9A-F]{2}){5,16}$/);
  });
});

describe('parseAdfFci: the FCI of an application (Book 1 Table 45)', () => {
  it('takes DF name, label, preferred name and the priority\'s low nibble', () => {
    const data = tlv(0x6f, tlv(0x84, fromHex('A000000003101001')), tlv(0xa5, tlv(0x50, ascii('VISA ')), tlv(0x87, Uint8Array.of(0x81)), tlv(0x9f12, ascii('Visa Credit'))));
    assert.deepEqual(parseAdfFci(data, VISA.aid), { aid: 'A000000003101001', label: 'VISA', preferredName: 'Visa Credit', priority: 1 });
    assert.equal(parseAdfFci(fci('A0000000031010', 'X', 0x80), VISA.aid).priority, undefined, 'priority 0 means none');
  });
  const bad: readonly (readonly [string, Uint8Array, RegExp])[] = [
    ['garbage', fromHex('DEADBEEF'), /not BER-TLV/],
    ['a template that is not 6F', tlv(0x70, tlv(0x84, fromHex('A0000000031010'))), /not an FCI template/],
    ['an FCI without DF name', tlv(0x6f, tlv(0xa5, tlv(0x50, ascii('VISA')))), /no DF name/],
    ['a DF name of 4 bytes', tlv(0x6f, tlv(0x84, fromHex('A0000000')), tlv(0xa5)), /4 bytes/],
    ['a DF name of 17 bytes', tlv(0x6f, tlv(0x84, new Uint8Array(17)), tlv(0xa5)), /17 bytes/],
    ['an FCI without A5', tlv(0x6f, tlv(0x84, fromHex('A0000000031010'))), /no proprietary template/],
  ];
  for (const [name, data, message] of bad) {
    it(`refuses ${name} with CARD_DATA_INVALID naming the AID`, () => {
      assert.throws(() => parseAdfFci(data, VISA.aid), (e: unknown) => isSmartCardError(e, 'CARD_DATA_INVALID') && message.test(e.message) && e.message.includes(VISA.aid));
    });
  }
});

describe('judgeSelection: Book 1 §12.3.3 steps 2–4 for one answer', () => {
  it('6A81 ends the session; 6A82 and other status words go to the next AID', () => {
    assert.deepEqual(judgeSelection(VISA, status(0x6a81)), { kind: 'terminate' });
    for (const sw of [0x6a82, 0x6d00, 0x6e00, 0x6985]) assert.deepEqual(judgeSelection(VISA, status(sw)), { kind: 'next-aid' });
  });
  it('6283 (blocked) is never a candidate, with or without an FCI', () => {
    assert.deepEqual(judgeSelection(VISA, status(0x6283)), { kind: 'blocked', then: 'next-occurrence' });
    assert.deepEqual(judgeSelection(VISA, { sw: 0x6283, data: fci('A0000000031010', 'VISA') }), { kind: 'blocked', then: 'next-occurrence' });
    assert.deepEqual(judgeSelection(VISA_EXACT, status(0x6283)), { kind: 'blocked', then: 'next-aid' });
  });
  it('an exact DF name is a candidate; a longer one only when the ASI allows partial names', () => {
    const exact = judgeSelection(VISA_EXACT, ok(fci('A0000000031010', 'VISA')));
    assert.equal(exact.kind, 'candidate');
    assert.equal(exact.kind === 'candidate' && exact.then, 'next-aid');
    const longer = judgeSelection(VISA, ok(fci('A000000003101001', 'VISA CREDIT')));
    assert.equal(longer.kind === 'candidate' && longer.application.aid, 'A000000003101001');
    assert.equal(longer.kind === 'candidate' && longer.then, 'next-occurrence');
    assert.deepEqual(judgeSelection(VISA_EXACT, ok(fci('A000000003101001', 'VISA CREDIT'))), { kind: 'not-matching', dfName: 'A000000003101001' });
  });
  it('a DF name that does not begin with the AID is a card fault', () => {
    assert.throws(() => judgeSelection(VISA, ok(fci('A0000000041010', 'MASTERCARD'))), (e: unknown) => isSmartCardError(e, 'CARD_DATA_INVALID') && /does not begin with it/.test(e.message));
  });
  it('a 9000 with a broken FCI or no DF name is a card fault', () => {
    assert.throws(() => judgeSelection(VISA, ok(fromHex('6F'))), (e: unknown) => isSmartCardError(e, 'CARD_DATA_INVALID'));
    assert.throws(() => judgeSelection(VISA, ok(new Uint8Array(0))), (e: unknown) => isSmartCardError(e, 'CARD_DATA_INVALID') && /not an FCI/.test(e.message));
  });
});

describe('buildCandidateList: the list of AIDs method (Book 1 §12.3.3)', () => {
  it('selects each terminal AID, follows next occurrences past a blocked ADF, and stops at 6A82', async () => {
    const sent: string[] = [];
    const card = modelCard([
      { name: 'A000000003101002', label: 'VISA DEBIT', blocked: true },
      { name: 'A000000003101001', label: 'VISA CREDIT', priority: 1 },
      { name: 'A0000000043060', label: 'MAESTRO', priority: 2 },
    ], sent);
    const { candidates, blocked } = await buildCandidateList(card);
    assert.deepEqual(candidates.map((c) => [c.aid, c.label, c.priority]), [['A000000003101001', 'VISA CREDIT', 1], ['A0000000043060', 'MAESTRO', 2]]);
    assert.equal(blocked, 1);
    assert.deepEqual(sent, [
      'first:A0000000031010', 'next:A0000000031010', 'next:A0000000031010',
      'first:A0000000032010', 'first:A0000000032020', 'first:A0000000041010',
      'first:A0000000043060', 'next:A0000000043060',
      'first:A00000002501',
    ]);
  });

  it('an exact-only terminal AID never asks for the next occurrence after a match', async () => {
    const sent: string[] = [];
    const { candidates } = await buildCandidateList(modelCard([{ name: 'A0000000031010', label: 'VISA' }], sent), [VISA_EXACT]);
    assert.deepEqual(candidates.map((c) => c.aid), ['A0000000031010']);
    assert.deepEqual(sent, ['first:A0000000031010']);
  });

  it('a card with no terminal AID gives an empty list after one SELECT per AID', async () => {
    const sent: string[] = [];
    assert.deepEqual(await buildCandidateList(modelCard([{ name: 'A0000001231234', label: 'OTHER' }], sent)), { candidates: [], blocked: 0 });
    assert.equal(sent.length, TERMINAL_AIDS.length);
  });

  it('6A81 ends the session with CARD_STATUS and sends nothing more', async () => {
    const sent: string[] = [];
    const card: SelectByName = async (name, occurrence) => {
      sent.push(`${occurrence}:${toHex(name)}`);
      return status(0x6a81);
    };
    await assert.rejects(buildCandidateList(card), (e: unknown) => isSmartCardError(e, 'CARD_STATUS') && e.details.sw === 0x6a81);
    assert.deepEqual(sent, ['first:A0000000031010']);
  });

  it('a card that answers every next occurrence with the same DF name is refused as looping', async () => {
    let selects = 0;
    const card: SelectByName = async () => {
      selects++;
      return ok(fci('A000000003101001', 'LOOP'));
    };
    await assert.rejects(buildCandidateList(card), (e: unknown) => isSmartCardError(e, 'CARD_DATA_INVALID') && /again: the card loops/.test(e.message));
    assert.equal(selects, 2);
  });

  it('a card that invents a new DF name at every next occurrence is stopped at the cap', async () => {
    let selects = 0;
    const card: SelectByName = async () => {
      selects++;
      return ok(fci(`A0000000031010${selects.toString(16).padStart(4, '0').toUpperCase()}`, 'ENDLESS'));
    };
    await assert.rejects(buildCandidateList(card), (e: unknown) => isSmartCardError(e, 'CARD_DATA_INVALID') && /after 16 occurrences/.test(e.message));
    assert.equal(selects, MAX_OCCURRENCES);
  });

  it('a card that answers 6283 to every next occurrence is stopped at the cap too', async () => {
    let selects = 0;
    const card: SelectByName = async () => {
      selects++;
      return status(0x6283);
    };
    await assert.rejects(buildCandidateList(card), (e: unknown) => isSmartCardError(e, 'CARD_DATA_INVALID'));
    assert.equal(selects, MAX_OCCURRENCES);
  });

  it('garbage FCI or a 9000 without DF name is a CARD_DATA_INVALID naming the AID', async () => {
    await assert.rejects(buildCandidateList(async () => ok(fromHex('FFFF0102'))), (e: unknown) => isSmartCardError(e, 'CARD_DATA_INVALID') && e.details.aid === 'A0000000031010');
    await assert.rejects(buildCandidateList(async () => ok(tlv(0x6f, tlv(0xa5, tlv(0x50, ascii('X')))))), (e: unknown) => isSmartCardError(e, 'CARD_DATA_INVALID') && /no DF name/.test(e.message));
  });
});

describe('answersTerminalAid: recognition without PSE/PPSE', () => {
  it('is true at the first AID answered with 9000 or 6283 and sends nothing after it', async () => {
    const sent: string[] = [];
    assert.equal(await answersTerminalAid(modelCard([{ name: 'A0000000041010', label: 'MC' }], sent)), true);
    assert.deepEqual(sent, ['first:A0000000031010', 'first:A0000000032010', 'first:A0000000032020', 'first:A0000000041010']);
    assert.equal(await answersTerminalAid(modelCard([{ name: 'A0000000031010', label: 'V', blocked: true }])), true);
  });
  it('is false for a card that answers 6A82 to every AID, and stops at 6A81', async () => {
    assert.equal(await answersTerminalAid(modelCard([])), false);
    const sent: string[] = [];
    assert.equal(await answersTerminalAid(async (name) => {
      sent.push(toHex(name));
      return status(0x6a81);
    }), false);
    assert.equal(sent.length, 1);
  });
});
