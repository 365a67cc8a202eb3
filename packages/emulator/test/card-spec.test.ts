import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fromHex, toHex } from '@t1c/smartcard/codec';
import * as reader from '@t1c/smartcard/beid';
import * as emulator from '../src/beid/card-spec.js';

// Both sides were written from the specification separately; a value wrong on either side
// (a file id, a tag, an AID) shows here instead of being copied into both.
describe('the virtual eID and the reader agree on the card specification', () => {
  it('the reader recognises each ATR the virtual card answers with, as the right applet', () => {
    assert.equal(reader.recogniseBeid(fromHex(emulator.BEID_ATR_1_7)), '1.7');
    assert.equal(reader.recogniseBeid(fromHex(emulator.BEID_ATR_1_8)), '1.8');
    assert.equal(emulator.BEID_ATR_1_7, reader.BEID_ATR_1_7);
    assert.equal(emulator.BEID_ATR_1_8, reader.BEID_ATR_1_8);
  });

  it('same application identifiers', () => {
    assert.equal(toHex(emulator.BELPIC_APPLET_AID), toHex(reader.BELPIC_APPLET_AID));
    assert.equal(toHex(emulator.BELPIC_DF_AID), toHex(reader.BELPIC_DF_AID));
    assert.equal(toHex(emulator.ID_DF_AID), toHex(reader.ID_DF_AID));
  });

  it('same file paths, for every file either side names', () => {
    assert.deepEqual(emulator.BeidFile, reader.BeidFile);
  });

  it('same identity and address tags', () => {
    assert.deepEqual(emulator.IdentityTag, reader.IdentityTag);
    assert.deepEqual(emulator.AddressTag, reader.AddressTag);
  });

  it('same key and PIN references, same DigestInfo prefixes', () => {
    assert.deepEqual(emulator.BeidKey, reader.BeidKey);
    assert.equal(emulator.BEID_PIN_REFERENCE, reader.BEID_PIN_REFERENCE);
    assert.deepEqual(emulator.DIGEST_INFO_PREFIX, reader.DIGEST_INFO_PREFIX);
  });
});
