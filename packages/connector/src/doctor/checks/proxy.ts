import { fileURLToPath } from 'node:url';
import { bypasses } from '../probes/bypass.js';
import { isIpLiteral, isLoopback } from '../probes/loopback.js';
import { evaluatePac, pacGoesDirect } from '../probes/pac.js';
import { proxySettings, type ProxySetting } from '../probes/proxy-settings.js';
import type { Check, DoctorContext } from '../types.js';

const id = 'proxy';

/** Browsers never proxy these (Chrome's implicit bypass rules): the name as typed decides. */
const implicitlyDirect = (host: string): boolean => host.toLowerCase() === 'localhost' || host.toLowerCase().endsWith('.localhost') || (isIpLiteral(host) && isLoopback(host.replace(/^\[|\]$/g, '')));

async function fetchPac(ctx: DoctorContext, pacUrl: string): Promise<string> {
  if (pacUrl.startsWith('file:')) {
    const text = ctx.readText(fileURLToPath(pacUrl));
    if (text === undefined) throw new Error(`${pacUrl} does not exist`);
    return text;
  }
  const response = await ctx.fetch(pacUrl, { signal: AbortSignal.timeout(5000) });
  if (!response.ok) throw new Error(`${pacUrl} answered HTTP ${response.status}`);
  return response.text();
}

interface Verdict {
  readonly setting: ProxySetting;
  readonly direct: boolean;
  readonly why: string;
}

async function judge(ctx: DoctorContext, setting: ProxySetting, url: string, host: string, addresses: ReadonlyMap<string, string>): Promise<Verdict> {
  if (bypasses(setting.bypass, host)) return { setting, direct: true, why: `${host} is in its exceptions` };
  if (setting.pacUrl !== undefined) {
    try {
      const result = evaluatePac(await fetchPac(ctx, setting.pacUrl), url, host, addresses, new Date(ctx.now()));
      return { setting, direct: pacGoesDirect(result), why: `proxy file ${setting.pacUrl} answers "${result}" for ${url}` };
    } catch (error) {
      return { setting, direct: false, why: `proxy file ${setting.pacUrl} could not be evaluated: ${error instanceof Error ? error.message : String(error)}` };
    }
  }
  if (setting.proxy === undefined) return { setting, direct: true, why: 'no proxy for this scheme' };
  return { setting, direct: false, why: `sends ${url} to proxy ${setting.proxy}; exceptions: ${setting.bypass.length > 0 ? setting.bypass.join(', ') : 'none'}` };
}

/** 4. The connector's URL goes DIRECT in every proxy setting browsers read. */
export const proxyCheck: Check = async (ctx) => {
  const scheme = ctx.settings.transport === 'http' ? 'http' : 'https';
  const host = ctx.hostname ?? '127.0.0.1';
  const url = `${scheme}://${host}:${ctx.port}/`;
  const settings = proxySettings(ctx, scheme);
  if (settings.length === 0) return { id, status: 'ok', summary: `no proxy configured: ${url} goes direct` };
  if (implicitlyDirect(host)) return { id, status: 'ok', summary: `${host} is a loopback name or address: browsers never send it to a proxy`, details: settings.map((s) => s.source) };
  const addresses = new Map<string, string>();
  const resolved = await ctx.resolver.lookup(host).catch(() => []);
  if (resolved[0] !== undefined) addresses.set(host.toLowerCase(), resolved[0]);
  const verdicts = await Promise.all(settings.map((s) => judge(ctx, s, url, host, addresses)));
  const details = verdicts.map((v) => `${v.direct ? 'direct' : 'PROXIED'}: ${v.setting.source}: ${v.why}`);
  const bad = verdicts.find((v) => !v.direct);
  if (!bad) return { id, status: 'ok', summary: `${url} goes direct in every proxy setting`, details };
  return {
    id, status: 'fail', summary: `${url} is sent to a proxy (${bad.setting.source}); the proxy cannot reach your connector`, details,
    fix: bad.setting.pacUrl !== undefined && !bypasses(bad.setting.bypass, host)
      ? `Ask whoever maintains the proxy file ${bad.setting.pacUrl} to return "DIRECT" for ${host}, or add ${host} to the proxy exceptions.`
      : `Add ${host} to the proxy exceptions.`,
    command: bad.setting.howToBypass(host),
  };
};
