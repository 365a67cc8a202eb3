import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sendQuery } from '../../src/doctor/probes/system-resolver.js';

export const ZONE = 't1c.test';
export const NAME = `connector.${ZONE}`;
const AUTH_ADDR = '127.0.0.2';
const RESOLVER_ADDR = '127.0.0.1';

/**
 * How the resolver treats the zone: `signed` validated to its trust anchor; `unsigned`; `rebind`
 * drops loopback answers for public names (unbound's private-address, as pfSense does);
 * `bogus` signed but anchored to a key the zone was not signed with; `signed-not-validated`
 * signed, the resolver holds no anchor (it passes signatures on, sets no AD bit).
 */
export type DnsMode = 'signed' | 'signed-not-validated' | 'unsigned' | 'rebind' | 'bogus';

export interface DnsRig {
  readonly dir: string;
  /** The zone's DS (signed modes) and a DS of a key that signed nothing. */
  readonly trustAnchorFile: string | undefined;
  readonly strangerAnchorFile: string | undefined;
  /** This namespace's /etc/hosts becomes the original plus `lines` (bind mount), until the next call or close. */
  setHosts(lines: string): void;
  close(): Promise<void>;
}

function unboundConf(dir: string, name: string, lines: readonly string[], tail: readonly string[] = []): string {
  const path = join(dir, `${name}.conf`);
  writeFileSync(path, [
    'server:', ...[
      'port: 53', 'username: ""', 'chroot: ""', `directory: "${dir}"`, `pidfile: "${join(dir, `${name}.pid`)}"`,
      'use-syslog: no', 'logfile: ""', 'do-daemonize: no', 'access-control: 127.0.0.0/8 allow', 'local-zone: "test." nodefault', ...lines,
    ].map((l) => `  ${l}`), ...tail, '',
  ].join('\n'));
  return path;
}

function keygen(dir: string, ksk: boolean): string {
  return execFileSync('ldns-keygen', ['-a', 'ECDSAP256SHA256', ...(ksk ? ['-k'] : []), ZONE], { cwd: dir, encoding: 'utf8' }).trim();
}

async function waitForAnswer(server: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    try {
      await sendQuery({ name: `ns.${ZONE}`, type: 'A', server });
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error(`unbound on ${server} never answered`);
}

function bindOver(target: string, source: string): void {
  execFileSync('mount', ['--bind', source, target]);
}

/** An authoritative unbound (127.0.0.2) for t1c.test and a resolver (127.0.0.1) the system uses. */
export async function startDnsRig(mode: DnsMode): Promise<DnsRig> {
  const dir = mkdtempSync(join(tmpdir(), 't1c-doctor-dns-'));
  const zone = join(dir, `${ZONE}.zone`);
  writeFileSync(zone, [
    `$ORIGIN ${ZONE}.`, '$TTL 300', `@ IN SOA ns.${ZONE}. admin.${ZONE}. 1 3600 600 86400 300`, `@ IN NS ns.${ZONE}.`,
    `ns IN A ${AUTH_ADDR}`, 'connector IN A 127.0.0.1', '',
  ].join('\n'));
  let served = zone;
  let anchor: string | undefined;
  let stranger: string | undefined;
  if (mode === 'signed' || mode === 'bogus' || mode === 'signed-not-validated') {
    const ksk = keygen(dir, true);
    const zsk = keygen(dir, false);
    execFileSync('ldns-signzone', ['-n', zone, ksk, zsk], { cwd: dir });
    served = `${zone}.signed`;
    anchor = join(dir, `${ksk}.ds`);
    stranger = join(dir, `${keygen(dir, true)}.ds`);
  }
  const zoneAnchor = anchor;
  const resolverAnchor = mode === 'bogus' ? stranger : mode === 'signed' ? anchor : undefined;
  const auth = unboundConf(dir, 'auth', [`interface: ${AUTH_ADDR}`], ['auth-zone:', `  name: "${ZONE}"`, `  zonefile: "${served}"`, '  for-downstream: yes', '  for-upstream: no']);
  const resolver = unboundConf(dir, 'resolver', [
    `interface: ${RESOLVER_ADDR}`, 'do-not-query-localhost: no', 'module-config: "validator iterator"',
    ...(resolverAnchor ? [`trust-anchor-file: "${resolverAnchor}"`] : []),
    // Only the connector's address is filtered, so the name server (127.0.0.2) stays reachable.
    ...(mode === 'rebind' ? ['private-address: 127.0.0.1/32'] : []),
  ], ['stub-zone:', `  name: "${ZONE}"`, `  stub-addr: ${AUTH_ADDR}`]);
  const originalHosts = readFileSync('/etc/hosts', 'utf8');
  const daemons: ChildProcess[] = [];
  const mounts: string[] = [];
  const start = (conf: string): void => {
    daemons.push(spawn('unbound', ['-c', conf], { stdio: 'ignore' }));
  };
  const close = async (): Promise<void> => {
    for (const m of mounts.reverse()) execFileSync('umount', [m]);
    for (const d of daemons) {
      if (d.exitCode !== null || d.signalCode !== null) continue;
      const exited = new Promise<void>((r) => d.once('exit', () => r()));
      d.kill('SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    start(auth);
    await waitForAnswer(AUTH_ADDR);
    start(resolver);
    await waitForAnswer(RESOLVER_ADDR);
    const resolvConf = join(dir, 'resolv.conf');
    writeFileSync(resolvConf, `nameserver ${RESOLVER_ADDR}\n`);
    bindOver('/etc/resolv.conf', resolvConf);
    mounts.push('/etc/resolv.conf');
  } catch (error) {
    await close();
    throw error;
  }
  return {
    dir, trustAnchorFile: zoneAnchor, strangerAnchorFile: stranger,
    setHosts(lines) {
      const previous = mounts.lastIndexOf('/etc/hosts');
      if (previous >= 0) {
        execFileSync('umount', ['/etc/hosts']);
        mounts.splice(previous, 1);
      }
      const hosts = join(dir, `hosts-${readdirSync(dir).length}`);
      writeFileSync(hosts, `${originalHosts}\n${lines}\n`);
      bindOver('/etc/hosts', hosts);
      mounts.push('/etc/hosts');
    },
    close,
  };
}
