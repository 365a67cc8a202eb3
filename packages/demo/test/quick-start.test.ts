import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { artifactPath, launchChromium } from './browser.js';

const ROOT = process.env.T1C_TEST_ROOT ?? process.cwd();

function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe("the README's first command: npm start", () => {
  const home = mkdtempSync(join(tmpdir(), 't1c-quick-start-'));
  let child: ChildProcess | undefined;

  after(() => {
    if (child?.pid && groupAlive(child.pid)) process.kill(-child.pid, 'SIGKILL');
    rmSync(home, { recursive: true, force: true });
  });

  it('starts DS, connector and demo, serves a page that reads the virtual card, and stops cleanly on Ctrl-C', { timeout: 180_000 }, async () => {
    // Its own process group, so Ctrl-C reaches npm and everything under it, as in a terminal.
    const started = spawn('npm', ['start', '--silent'], { cwd: ROOT, env: { ...process.env, HOME: home }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    child = started;
    const pid = started.pid;
    assert.ok(pid);
    let output = '';
    started.stdout?.on('data', (d: Buffer) => { output += d.toString(); });
    started.stderr?.on('data', (d: Buffer) => { output += d.toString(); });
    const exited = new Promise<number | null>((resolve) => started.on('exit', (code) => resolve(code)));

    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no URL printed within 120 s:\n${output}`)), 120_000);
      const look = (): void => {
        const match = /Open (http:\/\/\S+)/.exec(output);
        if (match?.[1]) {
          clearTimeout(timer);
          resolve(match[1]);
        }
      };
      started.stdout?.on('data', look);
      void exited.then((code) => reject(new Error(`npm start exited (${String(code)}) before printing a URL:\n${output}`)));
    });

    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      await page.goto(url);
      await page.locator('#status[data-state="ready"]').waitFor({ timeout: 60_000 });
      assert.match(await page.locator('#identity').innerText(), /Müller-Lüdenscheidt/);
      assert.match((await page.locator('#photo').getAttribute('src')) ?? '', /^data:image\/jpeg;base64,/);
      assert.equal(await page.locator('#integrity li.bad').count(), 0);
      await page.screenshot({ path: artifactPath('quick-start.png'), fullPage: true });
    } finally {
      await browser.close();
    }

    process.kill(-pid, 'SIGINT');
    await exited;
    for (let i = 0; i < 100 && groupAlive(pid); i++) await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(groupAlive(pid), false, 'every process of npm start has exited');
    assert.match(output, /stopped/);
  });
});
