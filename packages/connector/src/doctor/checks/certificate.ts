import { X509Certificate } from 'node:crypto';
import { anchors, publicRoots, userTrustStores } from '../probes/trust-stores.js';
import { isIpLiteral } from '../probes/loopback.js';
import type { Check } from '../types.js';
import { startCommand } from './connector.js';

const id = 'certificate';
const DAY_MS = 86_400_000;
const WARN_DAYS = 14;

const dayOf = (d: Date): string => d.toISOString().slice(0, 10);

/** 5. The served chain is valid for the name, not near expiry, and trusted where browsers look. */
export const certificateCheck: Check = async (ctx) => {
  if (ctx.settings.transport === 'http') return { id, status: 'info', summary: 'plain HTTP on 127.0.0.1 (a secure context for browsers): no certificate' };
  const name = ctx.hostname ?? 'localhost';
  let served;
  try {
    served = await ctx.servedChain(name);
  } catch (error) {
    return { id, status: 'fail', summary: `no certificate could be read from 127.0.0.1:${ctx.port}: ${error instanceof Error ? error.message : String(error)}`, fix: 'Start the connector (see the first line).' };
  }
  const chain = served.pems.map((p) => new X509Certificate(p));
  const leaf = chain[0];
  if (!leaf) return { id, status: 'fail', summary: 'the connector presented no certificate' };
  const partner = ctx.settings.transport === 'tls';
  const renew = partner
    ? { fix: `Replace the certificate file ${ctx.settings.tlsCert ?? ''} (and its key) with a current one from your certificate provider, then restart the connector.`, command: startCommand(ctx.platform) }
    : { fix: 'Restart the connector: it renews its own certificate at start.', command: startCommand(ctx.platform) };
  const now = ctx.now();
  const notAfter = new Date(leaf.validTo);
  const notBefore = new Date(leaf.validFrom);
  const details = [`subject ${leaf.subject.replace(/\n/g, ', ')}; issuer ${leaf.issuer.replace(/\n/g, ', ')}; valid ${dayOf(notBefore)} to ${dayOf(notAfter)}`];
  if (notAfter.getTime() < now) return { id, status: 'fail', summary: `the certificate for ${name} expired on ${dayOf(notAfter)}`, details, ...renew };
  if (notBefore.getTime() > now) {
    return { id, status: 'fail', summary: `the certificate for ${name} is valid only from ${dayOf(notBefore)}: this computer's clock is behind`, details,
      fix: 'Set the clock right (automatic time).', command: ctx.platform === 'linux' ? 'timedatectl set-ntp true' : undefined };
  }
  const matches = isIpLiteral(name) ? leaf.checkIP(name) !== undefined : leaf.checkHost(name) !== undefined;
  if (!matches) {
    return { id, status: 'fail', summary: `the certificate is not valid for ${name}`, details,
      fix: partner ? `Use a certificate whose names include ${name}.` : `Add ${name} to "hostnames" in the connector's configuration and restart it.`, command: partner ? undefined : `t1c api --hostname ${name}` };
  }
  const stores = partner ? [publicRoots(), ...userTrustStores(ctx.run, ctx.platform, ctx.home)] : userTrustStores(ctx.run, ctx.platform, ctx.home);
  if (stores.length === 0) {
    return { id, status: 'warn', summary: `certificate for ${name} valid until ${dayOf(notAfter)}, but no browser certificate store of this user was found`, details,
      fix: 'Open your browser once, then trust the connector\'s certificate.', command: partner ? undefined : 't1c cert install' };
  }
  const verdicts = stores.map((s) => ({ store: s.store, trusted: anchors(s, chain) }));
  details.push(...verdicts.map((v) => `${v.trusted ? 'trusted' : 'NOT trusted'}: ${v.store}`));
  const trusted = partner ? verdicts.some((v) => v.trusted) : verdicts.every((v) => v.trusted);
  if (!trusted) {
    return { id, status: 'fail', summary: `the certificate for ${name} is not trusted by ${verdicts.filter((v) => !v.trusted).map((v) => v.store).join(', ')}`, details,
      ...(partner ? { fix: 'The certificate does not chain to a trusted authority: install the full chain (leaf and intermediates) in the certificate file.' }
        : { fix: 'Trust the connector\'s own certificate authority for your browsers (no administrator rights needed), then restart the browser.', command: 't1c cert install' }) };
  }
  const daysLeft = Math.floor((notAfter.getTime() - now) / DAY_MS);
  if (daysLeft < WARN_DAYS) return { id, status: 'warn', summary: `the certificate for ${name} expires in ${daysLeft} days (${dayOf(notAfter)})`, details, ...renew };
  return { id, status: 'ok', summary: `certificate for ${name} valid until ${dayOf(notAfter)} and trusted`, details };
};
