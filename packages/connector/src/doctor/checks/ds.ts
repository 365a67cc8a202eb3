import { parseJsonOrUndefined } from '../probes/json.js';
import { join } from 'node:path';
import { z } from 'zod';
import type { Check, CheckResult, DoctorContext } from '../types.js';

const id = 'ds';
const MAX_SKEW_MS = 30_000;
const DEFAULT_CYCLE_MS = 8 * 3600_000;

const savedState = z.object({ deviceId: z.string(), syncedAt: z.string() });

const TLS_CODES = new Set(['CERT_HAS_EXPIRED', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'ERR_TLS_CERT_ALTNAME_INVALID', 'CERT_NOT_YET_VALID']);

/** The innermost error code of a failed fetch (undici wraps the socket's error in `cause`). */
function causeCode(error: unknown): string | undefined {
  let e: unknown = error;
  for (let i = 0; i < 4 && e instanceof Error; i++) {
    const code = (e as NodeJS.ErrnoException).code;
    if (typeof code === 'string') return code;
    e = e.cause;
  }
  return undefined;
}

const humanAge = (ms: number): string => (ms < 3600_000 ? `${Math.round(ms / 60_000)} min` : ms < 172_800_000 ? `${Math.round(ms / 3600_000)} h` : `${Math.round(ms / 86_400_000)} days`);

function registration(ctx: DoctorContext): { line: string; result?: Omit<CheckResult, 'id'> } {
  const text = ctx.readText(join(ctx.settings.dataDir, 'ds-state.json'));
  const parsed = savedState.safeParse(text === undefined ? undefined : parseJsonOrUndefined(text));
  if (!parsed.success) {
    return { line: 'not registered', result: { status: 'warn', summary: 'the connector has not registered with the Distribution Service yet',
      fix: 'Give the connector its registration key once (from your DS administrator) and restart it.', command: 'T1C_REGISTRATION_KEY=t1crk_… t1c api   (or --registration-key-file FILE)' } };
  }
  const age = ctx.now() - Date.parse(parsed.data.syncedAt);
  const line = `registered as device ${parsed.data.deviceId}; last sync ${humanAge(Math.max(0, age))} ago (${parsed.data.syncedAt})`;
  if (age > 2 * DEFAULT_CYCLE_MS) return { line, result: { status: 'warn', summary: `last successful sync with the Distribution Service was ${humanAge(age)} ago` } };
  return { line };
}

/** 7. The DS is reachable over valid TLS, our registration stands, sync is recent, clocks agree. */
export const dsCheck: Check = async (ctx) => {
  const dsUrl = ctx.dsUrl;
  if (dsUrl === undefined) {
    const keyed = !ctx.settings.jwt || ctx.settings.jwksUrl !== undefined || ctx.settings.jwtPublicKey !== undefined;
    return keyed ? { id, status: 'info', summary: 'no Distribution Service configured (tokens checked with a configured key)' }
      : { id, status: 'fail', summary: 'no Distribution Service and no token key configured: the connector refuses every request', fix: 'Set the Distribution Service URL your vendor gave you, then restart the connector.', setting: `"dsUrl": "https://ds.example.org" in ${ctx.configFile}` };
  }
  const statusUrl = new URL('/v3_5/system/status', dsUrl).toString();
  let response: Response;
  try {
    response = await ctx.fetch(statusUrl, { signal: AbortSignal.timeout(8000) });
  } catch (error) {
    const code = causeCode(error) ?? (error instanceof Error ? error.message : String(error));
    if (TLS_CODES.has(code)) {
      return { id, status: 'fail', summary: `the Distribution Service's certificate is not accepted (${code}) at ${dsUrl}`,
        fix: 'If your network inspects TLS (antivirus, corporate proxy), give the connector your company\'s root certificate, or exempt the DS from inspection.', command: 'NODE_EXTRA_CA_CERTS=/path/to/company-root.pem (in the connector\'s environment)' };
    }
    return { id, status: 'fail', summary: `the Distribution Service at ${dsUrl} is not reachable (${code})`, fix: 'Check the network connection and the DS URL; a proxy or firewall may block it.' };
  }
  const body = await response.text();
  const details = [`${statusUrl}: HTTP ${response.status}`];
  const date = response.headers.get('date');
  const skew = date === null ? undefined : ctx.now() - Date.parse(date);
  if (!response.ok) return { id, status: 'fail', summary: `the Distribution Service answers HTTP ${response.status}`, details: [...details, body.slice(0, 200)] };
  if (skew !== undefined && Math.abs(skew) > MAX_SKEW_MS) {
    return { id, status: 'fail', summary: `this computer's clock is ${Math.round(Math.abs(skew) / 1000)} s ${skew > 0 ? 'ahead of' : 'behind'} the Distribution Service: tokens will be refused`, details,
      fix: 'Set the clock to automatic time.', command: ctx.platform === 'win32' ? 'w32tm /resync' : ctx.platform === 'darwin' ? 'sudo sntp -sS time.apple.com' : 'sudo timedatectl set-ntp true' };
  }
  if (skew !== undefined) details.push(`clock difference ${Math.round(skew / 1000)} s`);
  const reg = registration(ctx);
  details.push(reg.line);
  if (reg.result) return { id, ...reg.result, details };
  return { id, status: 'ok', summary: `Distribution Service ${dsUrl} reachable, registered, clocks agree`, details };
};
