import { askAuthoritative, allLoopback } from '../probes/authoritative.js';
import { hostsEntries } from '../probes/hosts-file.js';
import { isIpLiteral } from '../probes/loopback.js';
import type { Check, CheckResult, DoctorContext } from '../types.js';

const id = 'name';

/** The name as typed in the page's URL needs no DNS: 127.0.0.1, ::1, localhost. */
export function needsDns(hostname: string | undefined): hostname is string {
  return hostname !== undefined && !isIpLiteral(hostname) && hostname.toLowerCase() !== 'localhost';
}

const hostsLine = (ctx: DoctorContext, hostname: string): string => (ctx.platform === 'win32'
  ? `Add-Content -Path '${ctx.paths.hostsFile}' -Value '127.0.0.1 ${hostname}'   (PowerShell as administrator)`
  : `echo "127.0.0.1 ${hostname}" | sudo tee -a ${ctx.paths.hostsFile}`);

/** Deletes one line of the hosts file; BSD sed (macOS) wants an explicit empty backup suffix. */
const removeLine = (ctx: DoctorContext, line: number): string | undefined => {
  if (ctx.platform === 'win32') return undefined;
  return `sudo sed -i${ctx.platform === 'darwin' ? " ''" : ''} '${line}d' ${ctx.paths.hostsFile}`;
};

/** Why the system resolver gave nothing: rebind protection, a missing name, or a broken resolver. */
async function diagnoseMissing(ctx: DoctorContext, hostname: string, reason: string): Promise<CheckResult> {
  const server = ctx.resolver.servers()[0];
  if (!server) return { id, status: 'fail', summary: `${hostname} does not resolve (${reason}) and no DNS server is configured` };
  const answer = await ctx.resolver.query({ name: hostname, type: 'A', server: server.host, port: server.port });
  if (answer.rcode === 'SERVFAIL') {
    // A validating resolver refuses an answer whose signatures fail; with checking disabled it gives it.
    const unchecked = await ctx.resolver.query({ name: hostname, type: 'A', server: server.host, port: server.port, dnssec: true, checkingDisabled: true });
    const addresses = unchecked.answers.filter((a) => a.type === 'A' || a.type === 'AAAA').map((a) => a.data);
    if (allLoopback(addresses)) {
      return { id, status: 'fail', summary: `resolver ${server.host} refuses ${hostname}: its DNSSEC signatures do not validate (bogus); unchecked it is ${addresses.join(', ')}`,
        fix: 'The name\'s DNSSEC signatures are broken or expired, or this computer\'s clock is far off. Check the clock; tell the name\'s operator. Until then, map the name on this computer.', command: hostsLine(ctx, hostname) };
    }
  }
  const auth = await askAuthoritative(ctx.resolver, server, hostname, answer).catch(() => undefined);
  if (auth && allLoopback(auth.addresses)) {
    return {
      id, status: 'fail',
      summary: `your DNS resolver ${server.host} drops ${hostname} although its own DNS servers answer ${auth.addresses.join(', ')}: DNS-rebind protection`,
      details: [`resolver ${server.host}: ${answer.rcode}, ${answer.answers.length} answers`, `authoritative ${auth.server}: ${auth.addresses.join(', ')}`],
      fix: `Ask your network administrator to exempt ${hostname} from DNS-rebind protection (unbound/pfSense: private-domain: "${auth.zone}"; dnsmasq: rebind-domain-ok=/${auth.zone}/; Fritz!Box: "DNS rebind protection exceptions"), or map the name on this computer.`,
      command: hostsLine(ctx, hostname),
    };
  }
  if (answer.rcode === 'NXDOMAIN') {
    return { id, status: 'fail', summary: `${hostname} does not exist in DNS (resolver ${server.host}: NXDOMAIN)`, fix: 'Check the name in the connector\'s configuration ("hostnames"); it must be the name your web application uses.' };
  }
  return { id, status: 'fail', summary: `${hostname} does not resolve through resolver ${server.host} (${answer.rcode}, ${answer.answers.length} answers)`,
    fix: 'A resolver that answers no address for an existing name usually filters loopback answers (DNS-rebind protection). Ask your network administrator, or map the name on this computer.', command: hostsLine(ctx, hostname) };
}

/** 2. The configured DNS name resolves to 127.0.0.1 / ::1 through the system resolver. */
export const nameCheck: Check = async (ctx) => {
  const hostname = ctx.hostname;
  if (!needsDns(hostname)) return { id, status: 'info', summary: `no DNS name configured: pages reach the connector as ${hostname ?? '127.0.0.1 / localhost'}` };
  const hosts = hostsEntries(ctx.readText(ctx.paths.hostsFile) ?? '', hostname);
  const hostsNote = hosts.map((h) => `${ctx.paths.hostsFile} line ${h.line}: ${h.address} ${hostname} (overrides DNS on this computer)`);
  let addresses: readonly string[];
  try {
    addresses = await ctx.resolver.lookup(hostname);
  } catch (error) {
    return diagnoseMissing(ctx, hostname, error instanceof Error ? error.message : String(error));
  }
  if (allLoopback(addresses)) {
    return { id, status: 'ok', summary: `${hostname} resolves to ${addresses.join(', ')}${hosts.length > 0 ? ` (from the hosts file)` : ''}`, details: hostsNote };
  }
  const hostsFirst = hosts[0];
  if (hostsFirst) {
    return { id, status: 'fail', summary: `${hostname} resolves to ${addresses.join(', ')}, not 127.0.0.1, because of the hosts file`, details: hostsNote,
      fix: `Remove or correct line ${hostsFirst.line} of ${ctx.paths.hostsFile}${ctx.platform === 'win32' ? ' (Notepad as administrator)' : ''}.`, command: removeLine(ctx, hostsFirst.line) };
  }
  return { id, status: 'fail', summary: `${hostname} resolves to ${addresses.join(', ')}, not 127.0.0.1`,
    fix: 'A local DNS server or filter answers for this name. Ask your network administrator to let the public answer (127.0.0.1) through, or map the name on this computer.', command: hostsLine(ctx, hostname) };
};
