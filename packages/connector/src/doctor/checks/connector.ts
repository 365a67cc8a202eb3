import { parseJsonOrUndefined } from '../probes/json.js';
import { z } from 'zod';
import { linuxPortHolders } from '../probes/port-holder.js';
import { parseLsofListeners, parseNetstatListeners, parseTasklistImage } from '../probes/port-holders-other.js';
import { excludedRangeCommand, parseExcludedPortRanges } from '../probes/excluded-ports.js';
import type { Check, DoctorContext, PortHolder } from '../types.js';

// `/info` answers T1C's bare InfoResponse (t1c-api.md §2.1.1), not the usual envelope.
const infoSchema = z.object({ t1CInfoAPI: z.object({ version: z.string() }) });
const refusalSchema = z.object({ success: z.literal(false), code: z.string().regex(/^\d{6}$/), description: z.string() });

/** How this user starts the installed connector. */
export function startCommand(platform: NodeJS.Platform): string {
  if (platform === 'win32') return 'Start menu → T1C Connector (or: t1c.exe api)';
  if (platform === 'darwin') return 'launchctl kickstart gui/$(id -u)/org.t1c-open.connector';
  return 'systemctl --user restart t1c.service';
}

const stopCommand = (platform: NodeJS.Platform, pid: number): string => (platform === 'win32' ? `taskkill /PID ${pid}` : `kill ${pid}`);

/** Whether the port lies in a block Windows reserved; only asked on Windows. */
function excludedRange(ctx: DoctorContext): string | undefined {
  if (ctx.platform !== 'win32') return undefined;
  const [command, args] = excludedRangeCommand;
  const out = ctx.run(command, args);
  if (out.status !== 0) return undefined;
  const hit = parseExcludedPortRanges(out.stdout).find((r) => ctx.port >= r.start && ctx.port <= r.end);
  return hit ? `${hit.start}-${hit.end}` : undefined;
}

/** Who listens on the port: /proc on Linux, netstat + tasklist on Windows, lsof on macOS. */
function portHolders(ctx: DoctorContext): PortHolder[] {
  if (ctx.platform === 'linux') {
    const found = linuxPortHolders(ctx.paths.procRoot, ctx.port);
    // Another user's process: its fds are not ours to read, but the socket's owner is public.
    const unseen = found.socketUids.filter((uid) => !found.holders.some((h) => h.uid === uid));
    return [...found.holders, ...unseen.map((uid) => ({ pid: -1, uid, command: '' }))];
  }
  if (ctx.platform === 'win32') {
    const netstat = ctx.run('netstat', ['-ano', '-p', 'tcp']);
    if (netstat.status !== 0) return [];
    return parseNetstatListeners(netstat.stdout, ctx.port).map((pid) => {
      const image = ctx.run('tasklist', ['/FI', `PID eq ${pid}`, '/FO', 'CSV', '/NH']);
      return { pid, uid: -1, command: image.status === 0 ? parseTasklistImage(image.stdout) ?? '' : '' };
    });
  }
  if (ctx.platform === 'darwin') {
    const lsof = ctx.run('lsof', ['-nP', `-iTCP:${ctx.port}`, '-sTCP:LISTEN', '-F', 'pcu']);
    return lsof.status === 0 ? parseLsofListeners(lsof.stdout) : [];
  }
  return [];
}

const describeHolder = (h: PortHolder): string => (h.pid < 0 ? `a process of uid ${h.uid} (not readable to you)` : `pid ${h.pid}${h.uid >= 0 ? `, uid ${h.uid}` : ''}: ${h.command || '(command line not readable)'}`);
/** Our program: `t1c … api` where the command line is known; the bare image name where only that is (Windows, macOS). */
const isT1c = (h: PortHolder): boolean => /(^|[\/\\\s])t1c(\.exe|\.js)?(\s|$)/i.test(h.command) && (/\bapi\b/.test(h.command) || !h.command.includes(' '));

/** 1. The connector runs for this user and answers on its port. */
export const connectorCheck: Check = async (ctx) => {
  const id = 'connector';
  const where = `127.0.0.1:${ctx.port} (${ctx.settings.transport === 'http' ? 'http' : 'https'})`;
  const reserved = excludedRange(ctx);
  if (reserved !== undefined) {
    return {
      id, status: 'fail', summary: `port ${ctx.port} lies in a range Windows reserved (${reserved}); the connector cannot listen there`,
      fix: 'Windows (Hyper-V, WSL or Docker) reserved this port block. Restart the "winnat" service as administrator, or reserve the port for the connector.',
      command: `net stop winnat && netsh int ipv4 add excludedportrange protocol=tcp startport=${ctx.port} numberofports=1 && net start winnat`,
    };
  }
  const holders = portHolders(ctx);
  let answer;
  try {
    answer = await ctx.probe('/info');
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    const first = holders.find((h) => h.pid >= 0);
    if (first) {
      return { id, status: 'fail', summary: `port ${ctx.port} is held by a program that does not answer ${where}`, details: holders.map(describeHolder),
        fix: 'Stop that program, or give the connector another port (config.json "port") and restart it.', command: stopCommand(ctx.platform, first.pid) };
    }
    return { id, status: 'fail', summary: `nothing answers on ${where}: ${reason}`, fix: 'Start the connector.', command: startCommand(ctx.platform) };
  }
  const info = infoSchema.safeParse(parseJsonOrUndefined(answer.body));
  const refusal = refusalSchema.safeParse(parseJsonOrUndefined(answer.body));
  const ours = holders.filter(isT1c);
  const others = holders.filter((h) => !isT1c(h) && h.pid >= 0);
  if (!info.success && !refusal.success) {
    return { id, status: 'fail', summary: `another program answers on ${where} (HTTP ${answer.statusCode}), not the connector`, details: holders.map(describeHolder),
      fix: 'Stop that program, or give the connector another port (config.json "port") and restart it.', ...(others[0] ? { command: stopCommand(ctx.platform, others[0].pid) } : {}) };
  }
  const foreign = [...ours, ...holders.filter((h) => h.pid < 0)].find((h) => h.uid >= 0 && h.uid !== ctx.uid);
  if (foreign) {
    return { id, status: 'fail', summary: `the connector on ${where} belongs to another user (uid ${foreign.uid}), not to you`, details: [describeHolder(foreign)],
      fix: 'Each user needs a connector of their own on their own port; the other user should sign out, or set another "port" for one of you.' };
  }
  const details = ours.map(describeHolder);
  if (info.success) return { id, status: 'ok', summary: `connector answers on ${where}, API version ${info.data.t1CInfoAPI.version}`, details };
  const code = refusal.success ? refusal.data.code : '';
  if (code === '112013') {
    return { id, status: 'fail', summary: `connector answers on ${where} but is not configured (${code}): it refuses every request`, details,
      fix: 'Set the Distribution Service URL (or a JWT key) in its configuration and restart it.', setting: `"dsUrl": "https://ds.example.org" in ${ctx.configFile}` };
  }
  // A Registry on the port answers for the user's own connector (shared computers): these two
  // mean that connector is not there, whatever the browser's "cannot contact" says.
  if (code === '112020') {
    return { id, status: 'fail', summary: `the Registry answers on ${where}, but no connector of yours is registered with it (${code})`, details: holders.map(describeHolder),
      fix: 'Start your own connector: on a shared computer it runs as an agent of the Registry ("registry": true in its configuration, or `t1c api --registry`).', command: startCommand(ctx.platform) };
  }
  if (code === '112021') {
    return { id, status: 'fail', summary: `the Registry answers on ${where}; your connector is registered with it but does not answer (${code})`, details: holders.map(describeHolder),
      fix: 'Restart your connector.', command: startCommand(ctx.platform) };
  }
  return { id, status: 'ok', summary: `connector answers on ${where} (it asks for a token: ${code})`, details };
};
