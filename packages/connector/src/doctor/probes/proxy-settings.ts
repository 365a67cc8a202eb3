import { join } from 'node:path';
import { parseRegQuery } from '../../config/reg-query.js';
import type { CommandRunner } from '../types.js';

/** One place that tells browsers or tools which proxy to use. */
export interface ProxySetting {
  readonly source: string;
  /** host:port of the proxy for the connector's scheme; undefined = none. */
  readonly proxy: string | undefined;
  /** Bypass patterns as the source writes them. */
  readonly bypass: readonly string[];
  readonly pacUrl: string | undefined;
  /** How the user changes it, for the fix. */
  readonly howToBypass: (host: string) => string;
}

const splitList = (v: string | undefined): string[] => (v ?? '').split(/[,;\s]+/).map((s) => s.trim()).filter((s) => s.length > 0);

/** HTTP(S)_PROXY / ALL_PROXY and NO_PROXY, upper or lower case (curl's reading). */
export function envProxy(env: NodeJS.ProcessEnv, scheme: 'http' | 'https'): ProxySetting | undefined {
  const pick = (...names: string[]): string | undefined => names.map((n) => env[n]).find((v) => v !== undefined && v !== '');
  const proxy = scheme === 'https' ? pick('https_proxy', 'HTTPS_PROXY', 'all_proxy', 'ALL_PROXY') : pick('http_proxy', 'HTTP_PROXY', 'all_proxy', 'ALL_PROXY');
  if (proxy === undefined) return undefined;
  const noProxy = pick('no_proxy', 'NO_PROXY');
  const bypass = splitList(noProxy);
  return {
    source: `environment (${scheme.toUpperCase()}_PROXY, NO_PROXY)`,
    proxy, bypass, pacUrl: undefined,
    howToBypass: (host) => `export NO_PROXY="${[...new Set([...bypass, host, '127.0.0.1', 'localhost'])].join(',')}"   (and the same in the session's environment, e.g. /etc/environment)`,
  };
}

/** `gsettings get org.gnome.system.proxy …`: GVariant strings and string arrays. */
export function parseGvariantStrings(text: string): string[] {
  return [...text.matchAll(/'((?:[^'\\]|\\.)*)'/g)].map((m) => (m[1] ?? '').replace(/\\(.)/g, '$1'));
}

export function gnomeProxy(run: CommandRunner, scheme: 'http' | 'https'): ProxySetting | undefined {
  const get = (schema: string, key: string): string | undefined => {
    const r = run('gsettings', ['get', schema, key]);
    return r.status === 0 ? r.stdout.trim() : undefined;
  };
  const mode = get('org.gnome.system.proxy', 'mode');
  if (mode === undefined) return undefined;
  const modeName = parseGvariantStrings(mode)[0];
  if (modeName !== 'manual' && modeName !== 'auto') return undefined;
  const ignore = parseGvariantStrings(get('org.gnome.system.proxy', 'ignore-hosts') ?? '');
  const bypassCommand = (host: string): string => `gsettings set org.gnome.system.proxy ignore-hosts "[${[...ignore, host].map((h) => `'${h}'`).join(', ')}]"`;
  if (modeName === 'auto') {
    const url = parseGvariantStrings(get('org.gnome.system.proxy', 'autoconfig-url') ?? '')[0];
    return { source: 'GNOME proxy settings (automatic)', proxy: undefined, bypass: ignore, pacUrl: url || undefined, howToBypass: bypassCommand };
  }
  const host = parseGvariantStrings(get(`org.gnome.system.proxy.${scheme}`, 'host') ?? '')[0] ?? '';
  const port = (get(`org.gnome.system.proxy.${scheme}`, 'port') ?? '0').replace(/^uint32\s+/, '');
  return { source: 'GNOME proxy settings (manual)', proxy: host ? `${host}:${port}` : undefined, bypass: ignore, pacUrl: undefined, howToBypass: bypassCommand };
}

/** KDE's `[Proxy Settings]` in kioslaverc: ProxyType 1 manual, 2 PAC URL, 4 environment. */
export function parseKdeProxy(text: string, scheme: 'http' | 'https'): ProxySetting | undefined {
  const section = /^\[Proxy Settings\]\s*$([\s\S]*?)(?=^\[|(?![\s\S]))/m.exec(text)?.[1] ?? '';
  const value = (key: string): string | undefined => new RegExp(`^${key}=(.*)$`, 'm').exec(section)?.[1]?.trim();
  const type = value('ProxyType');
  const bypass = splitList(value('NoProxyFor'));
  const howToBypass = (host: string): string => `System Settings → Network → Proxy → Exceptions: add ${host} (kioslaverc NoProxyFor=${[...bypass, host].join(',')})`;
  if (type === '2') return { source: 'KDE proxy settings (automatic configuration URL)', proxy: undefined, bypass, pacUrl: value('Proxy Config Script'), howToBypass };
  if (type !== '1') return undefined;
  const proxy = (value(scheme === 'https' ? 'httpsProxy' : 'httpProxy') ?? '').replace(/^\w+:\/\//, '').replace(/\s+/, ':');
  return { source: 'KDE proxy settings (manual)', proxy: proxy || undefined, bypass, pacUrl: undefined, howToBypass };
}

export const kioslavercPath = (env: NodeJS.ProcessEnv, home: string): string => join(env.XDG_CONFIG_HOME?.startsWith('/') ? env.XDG_CONFIG_HOME : join(home, '.config'), 'kioslaverc');

const INTERNET_SETTINGS = 'HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Internet Settings';

/** WinINet's per-user settings (what Chrome and Edge use on Windows), from `reg query`. */
export function parseWindowsProxy(regOutput: string, scheme: 'http' | 'https'): ProxySetting | undefined {
  const values = new Map(parseRegQuery(regOutput).map((v) => [v.name, v.data]));
  const enabled = Number(values.get('ProxyEnable') ?? '0') !== 0;
  const server = values.get('ProxyServer') ?? '';
  const override = values.get('ProxyOverride') ?? '';
  const pacUrl = values.get('AutoConfigURL') || undefined;
  // "http=a:80;https=b:443" names a proxy per scheme; a bare "a:80" is for all.
  const perScheme = server.includes('=') ? /(?:^|;)\s*([a-z]+)=([^;]+)/gi : undefined;
  let proxy: string | undefined = server || undefined;
  if (perScheme) proxy = [...server.matchAll(perScheme)].find((m) => m[1]?.toLowerCase() === scheme)?.[2];
  if (!enabled && pacUrl === undefined) return undefined;
  const bypass = splitList(override.replace(/;/g, ' '));
  return {
    source: `Windows Internet settings${enabled ? ` (ProxyServer=${server})` : ''}${pacUrl ? ` (AutoConfigURL=${pacUrl})` : ''}`,
    proxy: enabled ? proxy : undefined, bypass, pacUrl,
    howToBypass: (host) => `reg add "${INTERNET_SETTINGS}" /v ProxyOverride /t REG_SZ /d "${[...bypass, host].join(';')}" /f`,
  };
}

export const windowsProxyQuery = ['reg', ['query', INTERNET_SETTINGS]] as const;

/** `scutil --proxy`: a `<dictionary>` dump with `Key : value` lines and an ExceptionsList array. */
export function parseScutilProxy(output: string, scheme: 'http' | 'https'): ProxySetting | undefined {
  const value = (key: string): string | undefined => new RegExp(`^\\s*${key}\\s*:\\s*(.+)$`, 'm').exec(output)?.[1]?.trim();
  const prefix = scheme === 'https' ? 'HTTPS' : 'HTTP';
  const exceptions = /ExceptionsList\s*:\s*<array>\s*\{([\s\S]*?)\}/.exec(output)?.[1] ?? '';
  const bypass = [...exceptions.matchAll(/^\s*\d+\s*:\s*(\S+)\s*$/gm)].map((m) => m[1] ?? '').filter((s) => s.length > 0);
  const enabled = value(`${prefix}Enable`) === '1';
  const pacUrl = value('ProxyAutoConfigEnable') === '1' ? value('ProxyAutoConfigURLString') : undefined;
  if (!enabled && pacUrl === undefined) return undefined;
  return {
    source: 'macOS network proxy settings', proxy: enabled ? `${value(`${prefix}Proxy`) ?? ''}:${value(`${prefix}Port`) ?? ''}` : undefined, bypass, pacUrl,
    howToBypass: (host) => `System Settings → Network → (your network) → Details → Proxies → "Bypass proxy settings for these hosts": add ${host}`,
  };
}

/** Every proxy source of this platform that is switched on. */
export function proxySettings(input: { env: NodeJS.ProcessEnv; platform: NodeJS.Platform; home: string; run: CommandRunner; readText: (p: string) => string | undefined }, scheme: 'http' | 'https'): ProxySetting[] {
  const out: (ProxySetting | undefined)[] = [envProxy(input.env, scheme)];
  if (input.platform === 'win32') {
    const [cmd, args] = windowsProxyQuery;
    const r = input.run(cmd, args);
    if (r.status === 0) out.push(parseWindowsProxy(r.stdout, scheme));
  } else if (input.platform === 'darwin') {
    const r = input.run('scutil', ['--proxy']);
    if (r.status === 0) out.push(parseScutilProxy(r.stdout, scheme));
  } else {
    // Only in a GNOME-family session: gsettings writes a dconf cache in a home that has none.
    if (/GNOME|Unity|Cinnamon|Budgie|Pantheon|MATE/i.test(input.env.XDG_CURRENT_DESKTOP ?? '')) out.push(gnomeProxy(input.run, scheme));
    const kde = input.readText(kioslavercPath(input.env, input.home));
    if (kde !== undefined) out.push(parseKdeProxy(kde, scheme));
  }
  return out.filter((s): s is ProxySetting => s !== undefined);
}
