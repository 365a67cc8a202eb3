import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { beidPath, PIN, startFixture, type Fixture } from './api-helpers/fixture.js';
import { errorCode, verifiedData } from './api-helpers/http.js';

describe('the sandbox dies during a read', () => {
  let f: Fixture;
  before(async () => {
    f = await startFixture([{ appletVersion: '1.8', pin: PIN }]);
  });
  after(async () => {
    await f.close();
  });

  it('the request in flight fails with a T1C code, the sandbox is restarted and the next request works', async () => {
    const rid = await f.readerId(0);
    const firstPid = f.api.sandboxPid();
    assert.ok(firstPid);
    const card = f.rig.cards[0];
    assert.ok(card);
    let reads = 0;
    card.faultHook = (command) => {
      // SIGKILL by PID in the middle of the file reads: no timers involved.
      if (command[1] === 0xb0 && ++reads === 5) process.kill(firstPid, 'SIGKILL');
      return undefined;
    };
    const failed = await f.c.call('GET', beidPath(rid, 'biometric'));
    assert.equal(failed.status, 503, failed.text);
    assert.equal(errorCode(failed), '112002');
    card.faultHook = undefined;

    // Reader ids belong to the API process: the page's id still works after the restart.
    const readers = verifiedData(await f.c.call('GET', '/v3/readers'), f.api.deviceKeyPem) as { id: string }[];
    const newPid = f.api.sandboxPid();
    assert.ok(newPid && newPid !== firstPid, 'a new sandbox process');
    assert.equal(readers[0]?.id, rid);
    const bio = verifiedData(await f.c.call('GET', beidPath(rid, 'biometric')), f.api.deviceKeyPem) as { nationalNumber: string };
    assert.equal(bio.nationalNumber, card.holder.nationalNumber);
  });
});
