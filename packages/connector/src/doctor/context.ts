import { spawnSync } from 'node:child_process';
import { readFileSync, existsSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { homedir } from 'node:os';
import { join, win32 } from 'node:path';
import { connect as tlsConnect, type PeerCertificate, type DetailedPeerCertificate } from 'node:tls';
import { X509Certificate } from 'node:crypto';
import { loadSettings } from '../config/load.js';
import { defaultUserDirs } from '../config/paths.js';
import type { Settings } from '../config/settings.js';
import { certificateDnsNames } from '../security/served-hosts.js';
import { parseTrustAnchor, type TrustAnchor } from './probes/dnssec-validate.js';
import { isIpLiteral } from './probes/loopback.js';
import { systemResolver } from './probes/system-resolver.js';
import type { CommandRunner, DoctorContext, PortAnswer, Resolver, ServedChain } from './types.js';

const PROBE_TIMEOUT_MS = 5000;

export interface DoctorOptions {
  readonly hostname?: string;
  readonly port?: number;
  readonly dsUrl?: string;
  readonly configFile?: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly home?: string;
  /** Milliseconds since the epoch; tests skew it. */
  readonly now?: () => number;
  readonly resolver?: Resolver;
  readonly platform?: NodeJS.Platform;
  /** File with a DS or DNSKEY record (zone-file form) to validate the name to. */
  readonly trustAnchorFile?: string;
}

export const systemRunner: CommandRunner = (command, args) => {
  const r = spawnSync(command, [...args], { encoding: 'utf8', timeout: 10_000, windowsHide: true });
  return { status: r.error ? null : r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
};

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** GET on 127.0.0.1:port; Host is the loopback address, which the connector's Host guard always serves. */
function probe(settings: Settings, port: number): (path: string) => Promise<PortAnswer> {
  return (path) => new Promise((resolve, reject) => {
    const request = settings.transport === 'http' ? httpRequest : httpsRequest;
    const req = request({ host: '127.0.0.1', port, path, method: 'GET', timeout: PROBE_TIMEOUT_MS, rejectUnauthorized: false, headers: { accept: 'application/json' } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => { if (body.length < 65536) body += chunk; });
      res.on('end', () => resolve({ statusCode: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${PROBE_TIMEOUT_MS / 1000} s`)));
    req.on('error', (e: NodeJS.ErrnoException) => reject(new Error(e.code === 'ECONNREFUSED' ? 'connection refused' : e.message)));
    req.end();
  });
}

const toPem = (raw: Buffer): string => new X509Certificate(raw).toString();

/** The certificates the server sent, leaf first; the handshake is not judged here. */
function servedChain(port: number): (servername: string) => Promise<ServedChain> {
  return (servername) => new Promise((resolve, reject) => {
    const socket = tlsConnect({ host: '127.0.0.1', port, rejectUnauthorized: false, ...(isIpLiteral(servername) ? {} : { servername }) }, () => {
      const pems: string[] = [];
      let cert: PeerCertificate | DetailedPeerCertificate | undefined = socket.getPeerCertificate(true);
      const seen = new Set<string>();
      while (cert && cert.raw && !seen.has(cert.fingerprint256)) {
        seen.add(cert.fingerprint256);
        pems.push(toPem(cert.raw));
        cert = 'issuerCertificate' in cert ? cert.issuerCertificate : undefined;
      }
      const error = socket.authorizationError;
      socket.end();
      resolve({ pems, authorizationError: error === null ? undefined : String(error) });
    });
    socket.setTimeout(PROBE_TIMEOUT_MS, () => socket.destroy(new Error(`no TLS handshake within ${PROBE_TIMEOUT_MS / 1000} s`)));
    socket.on('error', (e: NodeJS.ErrnoException) => reject(new Error(e.code === 'ECONNREFUSED' ? 'connection refused' : e.message)));
  });
}

/** Loaded only when the cards are checked: it loads PC/SC. */
async function pcscReaders(): Promise<Awaited<ReturnType<DoctorContext['readers']>>> {
  const { listPcscReaders } = await import('./probes/pcsc-readers.js');
  return listPcscReaders();
}

/** The name pages use: asked for, else the first configured name, else the partner certificate's. */
function pageHostname(settings: Settings, asked: string | undefined): string | undefined {
  if (asked !== undefined) return asked;
  if (settings.hostnames[0] !== undefined) return settings.hostnames[0];
  if (settings.transport === 'tls' && settings.tlsCert) {
    const cert = readText(settings.tlsCert);
    return cert ? certificateDnsNames(cert)[0] : undefined;
  }
  return undefined;
}

/** The context of this computer and user, with the settings the installed connector loads. */
export function buildDoctorContext(options: DoctorOptions = {}): DoctorContext {
  const env = options.env ?? process.env;
  const platform = options.platform ?? process.platform;
  const home = options.home ?? env.HOME ?? homedir();
  const configFile = options.configFile ?? env.T1C_CONFIG ?? join(defaultUserDirs(env, platform, home).configDir, 'config.json');
  const settings = loadSettings({ env, ...(options.configFile ? { configFile: options.configFile } : {}), flags: { ...(options.port !== undefined ? { port: options.port } : {}), ...(options.dsUrl !== undefined ? { dsUrl: options.dsUrl } : {}) } });
  const port = settings.port;
  let trustAnchor: TrustAnchor | undefined;
  if (options.trustAnchorFile !== undefined) {
    const text = readText(options.trustAnchorFile);
    if (text === undefined) throw new Error(`cannot read trust anchor ${options.trustAnchorFile}`);
    trustAnchor = parseTrustAnchor(text);
    if (!trustAnchor || (trustAnchor.ds.length === 0 && trustAnchor.dnskeys.length === 0)) throw new Error(`no DS or DNSKEY record in ${options.trustAnchorFile}`);
  }
  const systemRoot = env.SystemRoot ?? env.SYSTEMROOT ?? 'C:\\Windows';
  return {
    settings, configFile, configFound: existsSync(configFile),
    hostname: pageHostname(settings, options.hostname), port, dsUrl: settings.dsUrl, trustAnchor,
    platform, env, home, uid: process.getuid?.() ?? -1,
    now: options.now ?? Date.now, fetch: globalThis.fetch, resolver: options.resolver ?? systemResolver(), run: systemRunner,
    paths: {
      hostsFile: platform === 'win32' ? win32.join(systemRoot, 'System32', 'drivers', 'etc', 'hosts') : '/etc/hosts',
      procRoot: '/proc',
      chromePolicyDirs: ['/etc/opt/chrome/policies/managed', '/etc/chromium/policies/managed', '/etc/opt/edge/policies/managed'],
    },
    probe: probe(settings, port), servedChain: servedChain(port), readers: pcscReaders, readText,
  };
}
