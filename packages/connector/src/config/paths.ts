import { homedir } from 'node:os';
import { join } from 'node:path';

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
