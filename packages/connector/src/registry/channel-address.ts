/**
 * Where agents register with the Registry. Linux and macOS: a Unix socket, whose peer the
 * kernel names. Windows: a TCP port on 127.0.0.1, whose peer the TCP table names
 * (GetExtendedTcpTable → owning PID → token SID; under Wine the Linux socket table). Not a
 * named pipe: Node gives no pipe HANDLE to ask GetNamedPipeClientProcessId with, and under
 * Wine each Linux user's prefix has its own wineserver, so a pipe never reaches another user.
 */
export type RegistryChannel =
  | { readonly kind: 'unix'; readonly path: string }
  | { readonly kind: 'tcp'; readonly port: number };

/** Next to the well-known 51983; `t1c registry --channel-port` moves it (an excluded range, a clash). */
export const DEFAULT_CHANNEL_PORT = 51984;

/** The Unix socket agents register on: in a directory only root (or the service user) writes. */
export function defaultRegistrySocket(platform: NodeJS.Platform = process.platform): string {
  if (platform === 'darwin') return '/var/run/t1c/registry.sock';
  return '/run/t1c/registry.sock';
}

export function defaultRegistryChannel(platform: NodeJS.Platform = process.platform): RegistryChannel {
  return platform === 'win32' ? { kind: 'tcp', port: DEFAULT_CHANNEL_PORT } : { kind: 'unix', path: defaultRegistrySocket(platform) };
}

/** The text form of a TCP channel: loopback only, so nobody mistakes it for a remote address. */
export const TCP_CHANNEL = /^127\.0\.0\.1:(\d{1,5})$/;

/** `/run/t1c/registry.sock` → Unix socket; `127.0.0.1:51984` → TCP; anything else is an error naming it. */
export function parseRegistryChannel(text: string): RegistryChannel {
  const tcp = TCP_CHANNEL.exec(text);
  if (tcp) {
    const port = Number(tcp[1]);
    if (port >= 1 && port <= 65535) return { kind: 'tcp', port };
  } else if (text.startsWith('/')) {
    return { kind: 'unix', path: text };
  }
  throw new Error(`registry channel: expected an absolute socket path or 127.0.0.1:PORT, got "${text}"`);
}

export function describeChannel(channel: RegistryChannel): string {
  return channel.kind === 'unix' ? channel.path : `127.0.0.1:${channel.port}`;
}

/** The `registry` setting → the channel an agent registers on; undefined: no agent, a plain connector. */
export function registryChannelOf(setting: boolean | string | undefined, platform: NodeJS.Platform = process.platform): RegistryChannel | undefined {
  if (setting === undefined || setting === false) return undefined;
  const channel = setting === true ? defaultRegistryChannel(platform) : parseRegistryChannel(setting);
  // Node on Windows would take the path for a named pipe's name and wait for it forever.
  if (channel.kind === 'unix' && platform === 'win32') throw new Error(`registry channel: a Unix socket (${channel.path}) is not available on Windows; use 127.0.0.1:PORT`);
  return channel;
}
