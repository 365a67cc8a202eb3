import { Option, type Command } from 'commander';
import { join } from 'node:path';
import { readConfigFile } from '../config/load.js';
import { defaultUserDirs } from '../config/paths.js';
import { defaultSettings, fileSchema, settingsSchema, type Settings } from '../config/settings.js';
import { checkAllowOriginPatterns } from '../security/cors.js';
import { writePrivateFile } from '../security/private-file.js';

interface ConfigSetFlags {
  file?: string;
  port?: string;
  dsUrl?: string;
  allowOrigin?: string[];
  logLevel?: Settings['logLevel'];
  check?: boolean;
}

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

/** ` (got "x")` for a key the user gave, so the message names the value as well as the key. */
const got = (given: Record<string, unknown>, key: PropertyKey | undefined): string =>
  key !== undefined && typeof key === 'string' && key in given ? ` (got ${JSON.stringify(given[key])})` : '';

/**
 * The user's config file with `changes` applied, checked exactly as `t1c api` checks it;
 * throws naming the bad key and value, having written nothing.
 */
export function updatedConfig(path: string, changes: Record<string, unknown>): Partial<Settings> {
  const merged = { ...readConfigFile(path, false), ...changes };
  const file = fileSchema.safeParse(merged);
  const issues = file.success ? settingsSchema.safeParse({ ...defaultSettings('/'), ...file.data }).error?.issues ?? [] : file.error.issues;
  if (issues.length > 0) throw new Error(`invalid setting: ${issues.map((i) => `${i.path.join('.')}: ${i.message}${got(changes, i.path[0])}`).join('; ')}`);
  const settings = file.data as Partial<Settings>;
  if (settings.allowOrigins) checkAllowOriginPatterns(settings.allowOrigins);
  return settings;
}

/** `t1c config set`: writes the user's settings (what an installer asks for), checked first. */
export function registerConfigCommands(program: Command): void {
  const config = program.command('config').description("the user's config file (packages/connector/README.md, Configuration)");
  config.command('set')
    .description('set values in the config file, checked as `t1c api` checks them; nothing is written if one is wrong')
    .option('--file <file>', 'config file (default <config dir>/config.json)')
    .option('--port <port>', 'TCP port')
    .option('--ds-url <url>', 'Distribution Service URL')
    .option('--allow-origin <origin>', 'allowed web origin, replaces the list (repeatable)', collect)
    .addOption(new Option('--log-level <level>', 'log level').choices(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']))
    .option('--check', 'only check the values; write nothing')
    .action((flags: ConfigSetFlags) => {
      const path = flags.file ?? join(defaultUserDirs().configDir, 'config.json');
      const changes: Record<string, unknown> = {};
      if (flags.port !== undefined) changes.port = /^\d+$/.test(flags.port) ? Number(flags.port) : flags.port;
      if (flags.dsUrl !== undefined) changes.dsUrl = flags.dsUrl;
      if (flags.allowOrigin !== undefined) changes.allowOrigins = flags.allowOrigin;
      if (flags.logLevel !== undefined) changes.logLevel = flags.logLevel;
      const settings = updatedConfig(path, changes);
      if (flags.check) {
        process.stdout.write(`ok: ${Object.keys(changes).join(', ') || 'nothing to set'}\n`);
        return;
      }
      writePrivateFile(path, `${JSON.stringify(settings, null, 2)}\n`);
      process.stdout.write(`wrote ${path}\n`);
    });
}
