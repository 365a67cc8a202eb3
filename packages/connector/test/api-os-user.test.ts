import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { T1C_BIN } from './helpers/run-cli.js';
import { OsUsers, waitForStderr } from './helpers/os-users.js';


describe('t1c api: only its own OS user may use it (/proc/net/tcp peer check)', () => {
  let users: OsUsers;
  let url: string;

  before(async () => {
    users = await OsUsers.create(['t1c-os-a', 't1c-os-b']);
    const api = users.spawn('t1c-os-a', [process.execPath, T1C_BIN, 'api', '--http', '--no-jwt', '--port', '0', '--no-pcsc', '--virtual-card', 'beid', '--log-level', 'warn']);
    url = (await waitForStderr(api, /t1c api listening on (http:\/\/\S+)/))[1] ?? '';
  });
  after(async () => { await users?.close(); });

  it("user A's own requests are served", async () => {
    const info = await users.curl('t1c-os-a', `${url}/info`);
    assert.equal(info.status, 200, info.body);
    const readers = await users.curl('t1c-os-a', `${url}/v3/readers`);
    assert.equal(readers.status, 200, readers.body);
    assert.match(readers.body, /Belgium Electronic ID card|beid/);
  });

  it("user B gets 403 104032 on every route, /info and unknown routes included", async () => {
    for (const path of ['/info', '/v3/readers', '/device-key', '/no/such/route']) {
      const r = await users.curl('t1c-os-b', `${url}${path}`);
      assert.equal(r.status, 403, `${path}: ${r.body}`);
      assert.equal((JSON.parse(r.body) as { code: string }).code, '104032', path);
    }
  });

  it('root is another user too', async () => {
    const r = await users.curl('root', `${url}/info`);
    assert.equal(r.status, 403);
  });
});
