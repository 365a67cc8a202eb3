import type { ReaderStatus } from '@t1c/smartcard/reader';
import type { CardModuleName } from '../ipc/index.js';

/** A reader as PC/SC reports it, with the card module the sandbox would use for its card. */
export interface DoctorReader extends ReaderStatus {
  readonly module: CardModuleName | null;
}
import type { Settings } from '../config/settings.js';
import type { RawRecord, TrustAnchor } from './probes/dnssec-validate.js';

export type CheckStatus = 'ok' | 'warn' | 'fail' | 'info';

export const CHECK_IDS = ['connector', 'name', 'dnssec', 'proxy', 'certificate', 'cards', 'ds', 'browser'] as const;
export type CheckId = (typeof CHECK_IDS)[number];

/** What one check found, as printed and as `--json` gives it. */
export interface CheckResult {
  readonly id: CheckId;
  readonly status: CheckStatus;
  readonly summary: string;
  /** Further facts, one line each (the hosts-file line, the proxy that answers, the readers). */
  readonly details?: readonly string[];
  /** What to do, in plain words. */
  readonly fix?: string;
  /** The exact command that does it. */
  readonly command?: string;
  /** Or the exact setting (a file and its content, a configuration key) where no command does it. */
  readonly setting?: string;
}

/** Runs a program without a shell and returns what it printed; `status` null when it could not start. */
export type CommandRunner = (command: string, args: readonly string[]) => { readonly status: number | null; readonly stdout: string; readonly stderr: string };

/** One UDP DNS exchange; the answer decoded. */
export interface DnsAnswer {
  readonly rcode: string;
  readonly flags: { readonly ad: boolean; readonly aa: boolean };
  readonly answers: readonly { readonly type: string; readonly name: string; readonly data: string }[];
  readonly authorities: readonly { readonly type: string; readonly name: string; readonly data: string }[];
  /** The answer section as decoded, for the doctor's own DNSSEC validation. */
  readonly records: readonly RawRecord[];
}

export interface DnsQuery {
  readonly name: string;
  readonly type: 'A' | 'AAAA' | 'NS' | 'SOA' | 'DNSKEY' | 'DS';
  readonly server: string;
  readonly port?: number;
  /** Recursion desired (off when asking an authoritative server). */
  readonly recursive?: boolean;
  /** DNSSEC OK: ask for signatures. */
  readonly dnssec?: boolean;
  /** Checking disabled: the answer even when validation fails. */
  readonly checkingDisabled?: boolean;
}

export interface Resolver {
  /** The operating system's resolver (hosts file, NSS, resolv.conf): what a browser gets. */
  lookup(name: string): Promise<readonly string[]>;
  /** The name servers the system asks (resolv.conf), with their port. */
  servers(): readonly { readonly host: string; readonly port: number }[];
  query(q: DnsQuery): Promise<DnsAnswer>;
}

/** A plain answer from a TCP/TLS probe of the connector's port. */
export interface PortAnswer {
  readonly statusCode: number;
  readonly body: string;
}

/** The TLS chain a server presented, leaf first, as PEM. */
export interface ServedChain {
  readonly pems: readonly string[];
  readonly authorizationError: string | undefined;
}

export interface PortHolder {
  readonly pid: number;
  readonly uid: number;
  readonly command: string;
}

/** Everything a check may look at; tests give their own. */
export interface DoctorContext {
  readonly settings: Settings;
  /** The config file `t1c api` reads, and whether it exists (else defaults and environment apply). */
  readonly configFile: string;
  readonly configFound: boolean;
  /** The DNS name pages use to reach the connector; undefined when only 127.0.0.1/localhost are served. */
  readonly hostname: string | undefined;
  readonly port: number;
  readonly dsUrl: string | undefined;
  /** A DS or DNSKEY the doctor validates the name's answer to when the resolver does not (`--trust-anchor`). */
  readonly trustAnchor: TrustAnchor | undefined;
  readonly platform: NodeJS.Platform;
  readonly env: NodeJS.ProcessEnv;
  readonly home: string;
  readonly uid: number;
  readonly now: () => number;
  readonly fetch: typeof fetch;
  readonly resolver: Resolver;
  readonly run: CommandRunner;
  readonly paths: {
    readonly hostsFile: string;
    readonly procRoot: string;
    readonly chromePolicyDirs: readonly string[];
  };
  /** GET `path` on 127.0.0.1:port over the configured transport, certificates not checked (that is the certificate check). */
  readonly probe: (path: string) => Promise<PortAnswer>;
  /** The chain served on 127.0.0.1:port for `servername`. */
  readonly servedChain: (servername: string) => Promise<ServedChain>;
  /** Readers and cards through PC/SC. */
  readonly readers: () => Promise<readonly DoctorReader[]>;
  /** Reads a text file, undefined when it does not exist. */
  readonly readText: (path: string) => string | undefined;
}

export type Check = (ctx: DoctorContext) => Promise<CheckResult>;
