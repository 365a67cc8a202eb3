import { homedir } from 'node:os';
import { dirname, join } from 'node:path';

export interface UserDirs {
  readonly dataDir: string;
  readonly configDir: string;
}

/**
 * Per-user directories by OS convention: XDG on Linux and other Unixes, Application Support
 * on macOS, %LOCALAPPDATA% (data, keys stay on this machine) and %APPDATA% (config) on Windows.
 */
export function defaultUserDirs(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform, home = homedir()): UserDirs {
  if (platform === 'win32') {
    const local = env.LOCALAPPDATA ?? join(home, 'AppData', 'Local');
    const roaming = env.APPDATA ?? join(home, 'AppData', 'Roaming');
    return { dataDir: join(local, 't1c'), configDir: join(roaming, 't1c') };
  }
  if (platform === 'darwin') {
    const base = join(home, 'Library', 'Application Support', 't1c');
    return { dataDir: base, configDir: base };
  }
  const data = env.XDG_DATA_HOME && env.XDG_DATA_HOME.startsWith('/') ? env.XDG_DATA_HOME : join(home, '.local', 'share');
  const config = env.XDG_CONFIG_HOME && env.XDG_CONFIG_HOME.startsWith('/') ? env.XDG_CONFIG_HOME : join(home, '.config');
  return { dataDir: join(data, 't1c'), configDir: join(config, 't1c') };
}

/**
 * Where `--log-file` without a path writes: beside the data on Windows
 * (%LOCALAPPDATA%\t1c\logs), where Console.app looks on macOS (~/Library/Logs/t1c), the
 * XDG state directory elsewhere (systemd's journal is the usual place there).
 */
export function defaultLogFile(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform, home = homedir()): string {
  if (platform === 'win32') return join(defaultUserDirs(env, platform, home).dataDir, 'logs', 'connector.log');
  if (platform === 'darwin') return join(home, 'Library', 'Logs', 't1c', 'connector.log');
  const state = env.XDG_STATE_HOME && env.XDG_STATE_HOME.startsWith('/') ? env.XDG_STATE_HOME : join(home, '.local', 'state');
  return join(state, 't1c', 'logs', 'connector.log');
}

/** Where `t1c registry --log-file` without a path writes: `registry.log` beside the connector's log. */
export function defaultRegistryLogFile(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform, home = homedir()): string {
  return join(dirname(defaultLogFile(env, platform, home)), 'registry.log');
}
