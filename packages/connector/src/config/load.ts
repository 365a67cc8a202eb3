import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { defaultUserDirs } from './paths.js';
import { readMachineRegistrySettings, readRegistrySettings } from './registry-settings.js';
import { defaultSettings, fileSchema, settingsSchema, type Settings } from './settings.js';

const list = (v: string): string[] => v.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
const bool = (v: string): boolean => /^(1|true|yes|on)$/i.test(v);

/** T1C_* variables → settings. Lists are comma-separated; booleans 1/true/yes/on. */
export function settingsFromEnv(env: NodeJS.ProcessEnv): Partial<Settings> {
  const out: Record<string, unknown> = {};
  const set = (name: string, key: keyof Settings, convert: (v: string) => unknown = (v) => v): void => {
    const value = env[name];
    if (value !== undefined && value !== '') out[key] = convert(value);
  };
  set('T1C_PORT', 'port', Number);
  set('T1C_TRANSPORT', 'transport');
  set('T1C_TLS_CERT', 'tlsCert');
  set('T1C_TLS_KEY', 'tlsKey');
  set('T1C_HOSTNAMES', 'hostnames', list);
  set('T1C_ALLOW_ORIGINS', 'allowOrigins', list);
  set('T1C_ALLOW_NO_ORIGIN', 'allowNoOrigin', bool);
  set('T1C_JWT', 'jwt', bool);
  set('T1C_JWKS_URL', 'jwksUrl');
  set('T1C_JWT_PUBLIC_KEY', 'jwtPublicKey');
  set('T1C_JWT_ISSUER', 'jwtIssuer');
  set('T1C_JWT_AUDIENCE', 'jwtAudience');
  set('T1C_DS_URL', 'dsUrl');
  set('T1C_REGISTRATION_KEY', 'registrationKey');
  set('T1C_ALLOW_PLAIN_PIN', 'allowPlainPin', bool);
  set('T1C_VIRTUAL_CARDS', 'virtualCards', list);
  set('T1C_PCSC', 'pcsc', bool);
  set('T1C_EMV_CA_KEYS', 'emvCaKeys');
  set('T1C_DATA_DIR', 'dataDir');
  set('T1C_LOG_LEVEL', 'logLevel');
  set('T1C_LOG_FILE', 'logFile');
  return out as Partial<Settings>;
}

export interface LoadInput {
  /** From command-line flags (highest precedence); undefined values are ignored. */
  readonly flags?: Partial<Settings>;
  readonly env?: NodeJS.ProcessEnv;
  /** Explicit config file; default `<configDir>/config.json` when it exists. */
  readonly configFile?: string;
  /** The `HKCU\\Software\\T1C\\Connector` layer; read with reg.exe on Windows only, unless given. */
  readonly registry?: () => Partial<Settings>;
  /** The `HKLM\\Software\\T1C\\Connector` layer (the machine's baseline); Windows only, unless given. */
  readonly machineRegistry?: () => Partial<Settings>;
  /** The administrator's file; default `/etc/t1c/connector.json` on Linux, none elsewhere. */
  readonly systemConfigFile?: string;
}

/** The administrator layer on Linux, shipped by the .deb as a conffile (`{}`: nothing set). */
export const SYSTEM_CONFIG_FILE = '/etc/t1c/connector.json';

/** A config file's settings; `what` names the layer in errors ("config file", "system config file"). */
export function readConfigFile(path: string, required: boolean, what = 'config file'): Partial<Settings> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if (!required && (error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new Error(`cannot read ${what} ${path}: ${(error as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new Error(`${what} ${path}: not JSON: ${(error as Error).message}`);
  }
  const parsed = fileSchema.safeParse(json);
  if (!parsed.success) {
    throw new Error(`${what} ${path}: ${parsed.error.issues.map((i) => `${i.path.length > 0 ? i.path.join('.') : '(top)'}: ${i.message}${gotValue(json, i.path)}`).join('; ')}`);
  }
  return parsed.data as Partial<Settings>;
}

/** ` (got 99999)`: the offending value, so the administrator sees which one without opening the schema. */
function gotValue(json: unknown, path: readonly PropertyKey[]): string {
  let at: unknown = json;
  for (const key of path) {
    if (typeof at !== 'object' || at === null) return '';
    at = (at as Record<PropertyKey, unknown>)[key];
  }
  return at === undefined || path.length === 0 ? '' : ` (got ${JSON.stringify(at)})`;
}

const defined = (o: Partial<Settings> | undefined): Partial<Settings> =>
  Object.fromEntries(Object.entries(o ?? {}).filter(([, v]) => v !== undefined)) as Partial<Settings>;

/**
 * Precedence: flags > environment > user config file > installed baseline > defaults. The
 * baseline is, on Windows, the user's registry key (per-user MSI, GPO preferences, Intune) over
 * the machine's (per-machine MSI, an administrator), and on Linux the administrator's
 * `/etc/t1c/connector.json`; anything more explicit for this user or this run overrides it.
 */
export function loadSettings(input: LoadInput = {}): Settings {
  const env = input.env ?? process.env;
  const dirs = defaultUserDirs(env);
  const fromEnv = settingsFromEnv(env);
  const configFile = input.configFile ?? env.T1C_CONFIG;
  const fromFile = readConfigFile(configFile ?? join(dirs.configDir, 'config.json'), configFile !== undefined);
  const registry = input.registry ?? (process.platform === 'win32' ? readRegistrySettings : () => ({}));
  const machineRegistry = input.machineRegistry ?? (process.platform === 'win32' ? readMachineRegistrySettings : () => ({}));
  const fromMachine = machineRegistry();
  const fromRegistry = registry();
  const systemFile = input.systemConfigFile ?? (process.platform === 'linux' ? SYSTEM_CONFIG_FILE : undefined);
  const fromSystem = systemFile === undefined ? {} : readConfigFile(systemFile, false, 'system config file');
  const merged = {
    ...defaultSettings(dirs.dataDir), ...defined(fromSystem), ...defined(fromMachine), ...defined(fromRegistry), ...defined(fromFile), ...defined(fromEnv), ...defined(input.flags),
  };
  const parsed = settingsSchema.safeParse(merged);
  if (!parsed.success) throw new Error(`invalid settings: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return parsed.data;
}
