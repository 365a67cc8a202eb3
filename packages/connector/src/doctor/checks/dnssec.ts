import { hostsEntries } from '../probes/hosts-file.js';
import { validateAddress } from '../probes/dnssec-validate.js';
import type { Check, CheckResult, DoctorContext } from '../types.js';
import { needsDns } from './name.js';

const id = 'dnssec';

/** The resolver does not validate: the doctor does, from the configured trust anchor down. */
async function ownValidation(ctx: DoctorContext, hostname: string, server: { host: string; port: number }, signed: boolean): Promise<CheckResult> {
  const anchor = ctx.trustAnchor;
  if (!anchor) throw new Error('no trust anchor');
  const query = async (name: string, type: 'A' | 'DNSKEY' | 'DS') =>
    (await ctx.resolver.query({ name, type, server: server.host, port: server.port, dnssec: true, checkingDisabled: true })).records;
  const result = await validateAddress(query, hostname, anchor, ctx.now());
  if (result.secure) {
    return { id, status: 'ok', summary: `${hostname} is signed and validated by t1c doctor from the trust anchor of ${anchor.zone} (resolver ${server.host} does not validate)`,
      details: [`chain: ${result.chain.join(' → ')}`] };
  }
  return { id, status: 'warn', summary: `${hostname} does not validate to the trust anchor of ${anchor.zone}: ${result.reason}`,
    ...(signed ? {} : { fix: 'Ask the name\'s operator to sign its zone.' }) };
}

/** 3. The name's answer is validated by the resolver (AD bit); unsigned or bogus is a warning. */
export const dnssecCheck: Check = async (ctx) => {
  const hostname = ctx.hostname;
  if (!needsDns(hostname)) return { id, status: 'info', summary: 'no DNS name configured: nothing to validate' };
  if (hostsEntries(ctx.readText(ctx.paths.hostsFile) ?? '', hostname).length > 0) {
    return { id, status: 'info', summary: `${hostname} comes from the hosts file on this computer: DNS and DNSSEC are not asked` };
  }
  const server = ctx.resolver.servers()[0];
  if (!server) return { id, status: 'warn', summary: 'no DNS server configured: cannot check DNSSEC' };
  const at = { server: server.host, port: server.port };
  const answer = await ctx.resolver.query({ name: hostname, type: 'A', dnssec: true, ...at });
  const signed = answer.answers.some((a) => a.type === 'RRSIG');
  if (answer.rcode === 'NOERROR' && answer.flags.ad) return { id, status: 'ok', summary: `${hostname} is signed and validated by resolver ${server.host} (AD bit set)` };
  if (answer.rcode === 'SERVFAIL') {
    const unchecked = await ctx.resolver.query({ name: hostname, type: 'A', dnssec: true, checkingDisabled: true, ...at });
    if (unchecked.rcode === 'NOERROR' && unchecked.answers.some((a) => a.type === 'A')) {
      return { id, status: 'warn', summary: `${hostname}: DNSSEC validation fails (bogus): resolver ${server.host} refuses the answer and gives it only with checking disabled`,
        fix: 'The name\'s signatures are broken or expired, or this computer\'s clock is wrong. Tell the operator of the name (your connector vendor); check the clock.' };
    }
    return { id, status: 'warn', summary: `resolver ${server.host} fails for ${hostname} (SERVFAIL)` };
  }
  if (!answer.answers.some((a) => a.type === 'A' || a.type === 'AAAA')) {
    return { id, status: 'warn', summary: `resolver ${server.host} gives no address for ${hostname} (${answer.rcode}): nothing to validate` };
  }
  if (ctx.trustAnchor) return ownValidation(ctx, hostname, server, signed);
  if (signed) {
    return { id, status: 'warn', summary: `${hostname} is signed, but resolver ${server.host} does not validate it (no AD bit)`,
      fix: 'Use a validating resolver (most ISPs and public resolvers validate; systemd-resolved: DNSSEC=yes).' };
  }
  return { id, status: 'warn', summary: `${hostname} is not signed with DNSSEC (no signatures, no AD bit from ${server.host})`,
    fix: 'Without DNSSEC, someone on the network can point the name elsewhere; the certificate check still protects the connection. Ask the name\'s operator to sign its zone.' };
};
