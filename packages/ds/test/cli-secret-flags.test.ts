import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { tempDir } from './helpers/tmp.js';

const ENTRY = fileURLToPath(new URL('./helpers/ds-cli.ts', import.meta.url));

function runDs(args: readonly string[]): Promise<{ code: number | null; stderr: string; stdout: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', ENTRY, 'ds', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    let stdout = '';
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr, stdout }));
  });
}

describe('t1c ds: no secret as a flag (ps shows flags to every user)', () => {
  it('--database-url with a password is refused before anything starts, pointing at the environment', async () => {
    const dir = tempDir('t1c-ds-secret-');
    try {
      for (const url of ['postgres://ds:hunter2-secret@127.0.0.1:5432/ds', 'host=127.0.0.1 user=ds password=hunter2-secret']) {
        const dataDir = join(dir.path, 'data');
        const result = await runDs(['--port', '0', '--data-dir', dataDir, '--database-url', url]);
        assert.notEqual(result.code, 0);
        assert.equal(result.stderr, 't1c: --database-url must not hold a password: a flag is visible to every user (ps). Set T1C_DS_DATABASE_URL, or PGPASSWORD, or use ~/.pgpass\n');
        assert.equal(existsSync(dataDir), false, 'nothing written');
      }
    } finally {
      dir.remove();
    }
  });

  it('--help says where secrets go: admin token file or env, database password in the environment', async () => {
    const help = (await runDs(['--help'])).stdout.replace(/\s+/g, ' ');
    assert.match(help, /T1C_DS_DATABASE_URL or PGPASSWORD/);
    const admin = (await runDs(['admin', '--help'])).stdout.replace(/\s+/g, ' ');
    assert.match(admin, /--token-file <path>/);
    assert.match(admin, /T1C_DS_ADMIN_TOKEN/);
  });
});
