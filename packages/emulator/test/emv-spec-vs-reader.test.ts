import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EMV_SELECTION, EMV_TAGS as Tag, PPSE, PSE } from '@t1c/smartcard/emv';
import { EmvStatus, EmvTag, PPSE_NAME, PSE_NAME, SelectOccurrence } from '../src/emv/emv-spec.js';

/**
 * The card's constants come from the EMV books and the reader's were written separately; a
 * wrong tag copied into both would let every card test pass. Hold them against each other,
 * and against the books' values typed in here a third time for the ones that matter most.
 */
test('the virtual EMV card and the reader agree on the directory names and on the tags both use', () => {
  assert.equal(PSE_NAME, PSE);
  assert.equal(PPSE_NAME, PPSE);
  const pairs: readonly (readonly [number, number, number])[] = [
    [EmvTag.fciTemplate, Tag.fci, 0x6f], [EmvTag.dfName, Tag.dfName, 0x84], [EmvTag.fciProprietaryTemplate, Tag.fciProprietary, 0xa5],
    [EmvTag.directorySfi, Tag.sfi, 0x88], [EmvTag.fciIssuerDiscretionary, Tag.issuerDiscretionary, 0xbf0c],
    [EmvTag.applicationTemplate, Tag.applicationTemplate, 0x61], [EmvTag.aid, Tag.aid, 0x4f], [EmvTag.applicationLabel, Tag.label, 0x50],
    [EmvTag.applicationPriority, Tag.priority, 0x87], [EmvTag.pdol, Tag.pdol, 0x9f38], [EmvTag.recordTemplate, Tag.record, 0x70],
    [EmvTag.responseFormat1, Tag.gpoFormat1, 0x80], [EmvTag.responseFormat2, Tag.gpoFormat2, 0x77], [EmvTag.aip, Tag.aip, 0x82],
    [EmvTag.afl, Tag.afl, 0x94], [EmvTag.pan, Tag.pan, 0x5a], [EmvTag.expirationDate, Tag.expirationDate, 0x5f24],
    [EmvTag.effectiveDate, Tag.effectiveDate, 0x5f25], [EmvTag.cardholderName, Tag.cardholderName, 0x5f20],
    [EmvTag.issuerCountryCode, Tag.issuerCountry, 0x5f28], [EmvTag.caPublicKeyIndex, Tag.caIndex, 0x8f],
    [EmvTag.issuerPublicKeyCertificate, Tag.issuerCertificate, 0x90], [EmvTag.issuerPublicKeyRemainder, Tag.issuerRemainder, 0x92],
    [EmvTag.issuerPublicKeyExponent, Tag.issuerExponent, 0x9f32], [EmvTag.iccPublicKeyCertificate, Tag.iccCertificate, 0x9f46],
    [EmvTag.iccPublicKeyExponent, Tag.iccExponent, 0x9f47], [EmvTag.iccPublicKeyRemainder, Tag.iccRemainder, 0x9f48],
    [EmvTag.pinTryCounter, Tag.pinTryCounter, 0x9f17], [EmvTag.staticDataTagList, Tag.staticDataTagList, 0x9f4a],
    [EmvTag.languagePreference, Tag.language, 0x5f2d], [EmvTag.track2Equivalent, Tag.track2, 0x57],
  ];
  for (const [card, reader, book] of pairs) {
    assert.equal(card, book, `card tag ${card.toString(16)}`);
    assert.equal(reader, book, `reader tag ${reader.toString(16)}`);
  }
});

test('they agree on SELECT\'s occurrence options and the status words of application selection (Book 1 §11.3.2, §12.3.3)', () => {
  assert.deepEqual([SelectOccurrence.first, EMV_SELECTION.firstOccurrence], [0x00, 0x00]);
  assert.deepEqual([SelectOccurrence.next, EMV_SELECTION.nextOccurrence], [0x02, 0x02]);
  assert.deepEqual([EmvStatus.functionNotSupported, EMV_SELECTION.cardBlockedOrUnsupported], [0x6a81, 0x6a81]);
  assert.deepEqual([EmvStatus.selectedFileDeactivated, EMV_SELECTION.applicationBlocked], [0x6283, 0x6283]);
});
