// Runs the current script again inside a private mount + network namespace with a fresh /run
// and loopback up, so the pcscd, vpcd ports and servers it starts never meet the host's.
import { spawnSync } from 'node:child_process';

const MARKER = 'T1C_TEST_NAMESPACE';

/** True when already inside; otherwise re-executes `node <execArgv> <argv>` inside and exits with its status. */
export function ensurePrivateNamespace() {
  if (process.env[MARKER] === '1') {
    const setup = spawnSync('sh', ['-c', 'mount -t tmpfs -o mode=755 tmpfs /run && mkdir -p /run/pcscd && ip link set lo up'], { stdio: 'inherit' });
    if (setup.status !== 0) {
      console.error('could not set up the private namespace (/run tmpfs, loopback)');
      process.exit(1);
    }
    return true;
  }
  const unshareArgs = ['--mount', '--net', '--fork', '--kill-child'];
  if (process.getuid?.() !== 0) unshareArgs.unshift('--map-root-user');
  const result = spawnSync('unshare', [...unshareArgs, process.execPath, ...process.execArgv, ...process.argv.slice(1)], {
    stdio: 'inherit', env: { ...process.env, [MARKER]: '1' },
  });
  process.exit(result.status ?? 1);
}
