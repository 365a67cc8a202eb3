import assert from 'node:assert/strict';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startApi, type RunningApi } from '../src/index.js';
import { dialogCommand, systemPinDialog } from '../src/os/pin-dialog.js';
import { ORIGIN } from './api-helpers/fixture.js';
import { client, errorCode, verifiedData } from './api-helpers/http.js';
import { AUDIENCE, ISSUER, testIssuer } from './api-helpers/jwt.js';
import { tempDir } from './api-helpers/rig.js';

const MARKUP_ORIGIN = 'https://<b>&_x\\n.example';

/** A stand-in for zenity/kdialog: records its argv (NUL-separated) and answers a PIN. */
function fakeDialog(dir: string, name: 'zenity' | 'kdialog', pin: string): { argv(): string[] } {
  const record = join(dir, `${name}.argv`);
  const script = join(dir, name);
  writeFileSync(script, `#!/bin/sh\nprintf '%s\\0' "$@" > '${record}'\nprintf '${pin}\\n'\n`);
  chmodSync(script, 0o755);
  return { argv: () => readFileSync(record, 'utf8').split('\0').slice(0, -1) };
}

/** Issue 9 item 15: the OS PIN dialog says which site (and application) asks. */
describe('the OS PIN dialog names who asks', () => {
  const dir = tempDir('t1c-dialog-origin-');

  after(() => dir.remove());

  it('zenity gets the origin and application as one argv element each, markup and escapes inert', async () => {
    const zenity = fakeDialog(dir.path, 'zenity', '4321');
    const dialog = systemPinDialog({ PATH: dir.path, DISPLAY: ':99' }, 'linux');
    const pin = await dialog({ timeoutSeconds: 20, origin: MARKUP_ORIGIN, application: 'shop_app' });
    assert.equal(Buffer.from(pin).toString(), '4321');
    const argv = zenity.argv();
    assert.deepEqual(argv.slice(0, 2), ['--entry', '--hide-text']);
    assert.equal(argv.length, 4, 'nothing the origin contains became another argument');
    assert.equal(argv[2], `--title=Smart card PIN for ${MARKUP_ORIGIN}`);
    // zenity's --entry label is GTK text-with-mnemonic after g_strcompress: `_` and `\` are doubled.
    assert.equal(argv[3], '--text=Enter the PIN of your eID card.\nRequested by https://<b>&__x\\\\n.example (application shop__app)');
  });

  it('no origin reads "a local program (no web origin)"; control and bidi characters are dropped', () => {
    const plain = dialogCommand('linux', { PATH: '/usr/bin', DISPLAY: ':9' }, {});
    assert.match(plain?.args.join('\n') ?? '', /Requested by a local program \(no web origin\)/);
    const sneaky = dialogCommand('linux', { PATH: '/usr/bin', DISPLAY: ':9' }, { origin: 'https://evil.example\u202e\nmoc.knab' });
    assert.match(sneaky?.args[3] ?? '', /Requested by https:\/\/evil\.examplemoc\.knab$/);
  });

  it('kdialog gets escaped rich text; osascript and PowerShell never see the origin inside their script', () => {
    const kdir = tempDir('t1c-kdialog-');
    try {
      fakeDialog(kdir.path, 'kdialog', '1');
      const k = dialogCommand('linux', { PATH: kdir.path, DISPLAY: ':9' }, { origin: MARKUP_ORIGIN });
      assert.deepEqual(k?.args.slice(0, 3), ['--title', `Smart card PIN for ${MARKUP_ORIGIN}`, '--password']);
      assert.equal(k?.args[3], '<qt>Enter the PIN of your eID card.<br>Requested by https://&lt;b&gt;&amp;_x\\n.example</qt>');
    } finally {
      kdir.remove();
    }
    const quote = 'https://x.example" & (do shell script "id") & "';
    const mac = dialogCommand('darwin', {}, { origin: quote });
    assert.equal(mac?.command, 'osascript');
    const script = mac?.args.filter((_a, i, all) => all[i - 1] === '-e') ?? [];
    assert.ok(script.every((line) => !line.includes('x.example')), 'the origin is not AppleScript code');
    assert.ok(mac?.args.includes(`Enter the PIN of your eID card.\nRequested by ${quote}`), 'it is an argument of the run handler');
    const win = dialogCommand('win32', {}, { origin: '"; Remove-Item C:\\ ; "' });
    assert.ok(win?.args.every((a) => !a.includes('Remove-Item')), 'the origin is not PowerShell code');
    assert.match(win?.env?.T1C_PIN_PROMPT ?? '', /Remove-Item/);
  });

  describe('through the API', () => {
    let api: RunningApi;
    let zenity: { argv(): string[] };
    let jwt = '';
    const apiDir = tempDir('t1c-dialog-api-');

    before(async () => {
      zenity = fakeDialog(apiDir.path, 'zenity', '1234');
      const issuer = testIssuer(apiDir.path);
      api = await startApi({
        port: 0, transport: 'http', jwtPublicKey: issuer.publicKeyFile, jwtIssuer: ISSUER, jwtAudience: AUDIENCE, allowOrigins: [ORIGIN],
        dataDir: join(apiDir.path, 'data'), virtualCards: ['1.8'], pcsc: false, logLevel: 'silent',
        env: { PATH: `${apiDir.path}:${process.env.PATH ?? ''}`, DISPLAY: ':99', XDG_CONFIG_HOME: join(apiDir.path, 'config') },
      });
      jwt = await issuer.token({}, { subject: 'shop' });
    });
    after(async () => {
      await api?.close();
      apiDir.remove();
    });

    it('osDialog: the dialog shows the page\'s Origin and the JWT subject, or "a local program" without Origin', async () => {
      const page = client(api.url, undefined, { authorization: `Bearer ${jwt}`, origin: ORIGIN });
      const local = client(api.url, undefined, { authorization: `Bearer ${jwt}` });
      try {
        const rid = (verifiedData(await page.call('GET', '/v3/readers'), api.deviceKeyPem) as { id: string }[])[0]?.id ?? '';
        const path = `/v3/modules/beid/apps/token/readers/${rid}/verify-pin`;
        const fromPage = await page.call('POST', path, { body: { osDialog: true } });
        assert.equal(fromPage.status, 200, fromPage.text);
        assert.equal(zenity.argv()[2], `--title=Smart card PIN for ${ORIGIN}`);
        assert.equal(zenity.argv()[3], `--text=Enter the PIN of your eID card.\nRequested by ${ORIGIN} (application shop)`);
        const fromLocal = await local.call('POST', path, { body: { osDialog: true } });
        assert.equal(fromLocal.status, 200, fromLocal.text);
        assert.equal(zenity.argv()[3], '--text=Enter the PIN of your eID card.\nRequested by a local program (no web origin) (application shop)');
        const denied = await client(api.url, undefined, { authorization: `Bearer ${jwt}`, origin: MARKUP_ORIGIN }).call('POST', path, { body: { osDialog: true } });
        assert.equal(errorCode(denied), '104001', 'an origin outside the allow-list never reaches the dialog');
      } finally {
        page.close();
        local.close();
      }
    });
  });
});
