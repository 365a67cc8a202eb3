import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, closeSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * A private pcscd with vpcd readers, for tests (beid-card.md §8.5–8.6). pcscd's socket path
 * is fixed, so run it inside its own mount+net namespace (scripts/test.mjs does) unless
 * the machine has no other pcscd. Each vpcd driver file gives two readers; more pairs need
 * copies of the driver, because pcscd shares one loaded library and vpcd keeps its
 * sockets in that library's static memory. With `socketDir`, several pcscds run side by side
 * (one per user, as a terminal server gives each session its own PC/SC), each client picking
 * its own by `PCSCLITE_CSOCK_NAME`.
 */
export interface PcscdReader {
  readonly name: string;
  readonly port: number;
}

export interface PcscdOptions {
  /** Pairs of readers to start with; default 1 ("Virtual PCD 00 00/01"). */
  readonly readerPairs?: number;
  /** Adds `--debug --apdu` to pcscd's command line; the log is `logFile`. */
  readonly debug?: boolean;
  readonly pcscdPath?: string;
  readonly driverPath?: string;
  /**
   * Runs pcscd in a mount namespace of its own where this directory is /run/pcscd: pcscd 1.9.9
   * has its socket path built in (only the client library reads `PCSCLITE_CSOCK_NAME`), so this
   * is how a second one gets a socket of its own, at `<socketDir>/pcscd.comm`. The directory keeps
   * its mode (pcscd would make it 0755), so a 0700 directory owned by one user is that user's PC/SC.
   */
  readonly socketDir?: string;
  /** Index of the first reader pair (names and vpcd ports); pcscds side by side need distinct ones. Default 0. */
  readonly firstPair?: number;
}

export interface PcscdHarness {
  /** Current pcscd process; changes when addReaders had to restart it. */
  readonly pid: number;
  /** How often addReaders restarted pcscd because SIGUSR1 added nothing. */
  readonly restarts: number;
  readonly readers: readonly PcscdReader[];
  /** pcscd's socket: what a client's `PCSCLITE_CSOCK_NAME` names to reach this one. */
  readonly socket: string;
  readonly configDir: string;
  readonly logFile: string;
  /**
   * Adds a pair of vpcd readers: new config + driver copy, then SIGUSR1; if pcscd does not
   * pick them up (Debian's build), restarts it, which drops every vpcd card connection
   * (links made with `retryMs` reconnect) and every PC/SC context (clients re-establish).
   */
  addReaders(): Promise<PcscdReader[]>;
  stop(): Promise<void>;
}

const RUN_DIR = '/run/pcscd';
const FIRST_PORT = 0x8c7b;
const EXTRA_PORT_BASE = 0x9c40;
const PAIR_NAMES = ['Virtual PCD', 'Second VPCD', 'Third VPCD', 'Fourth VPCD', 'Fifth VPCD', 'Sixth VPCD', 'Seventh VPCD', 'Eighth VPCD'];
/** pcscd 1.9.9 handles 16 readers. */
const MAX_PAIRS = 8;
const READY_POLLS = 200;
const POLL_MS = 50;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Where one pcscd keeps its socket and pid file (as seen from outside its namespace). */
interface RunFiles {
  readonly dir: string;
  /** True when pcscd runs in its own mount namespace with `dir` bound on /run/pcscd. */
  readonly private: boolean;
  readonly socket: string;
  readonly pidFile: string;
}

function runFiles(socketDir: string | undefined): RunFiles {
  const dir = socketDir ?? RUN_DIR;
  return { dir, private: socketDir !== undefined, socket: join(dir, 'pcscd.comm'), pidFile: join(dir, 'pcscd.pid') };
}

/** Refuses to touch a live pcscd; clears files a dead one left behind. */
function claimSocket(run: RunFiles): void {
  const { socket, pidFile } = run;
  if (!existsSync(socket) && !existsSync(pidFile)) return;
  // pcscd 1.9.9 writes "<pid>\n\0": only the leading digits count.
  const pid = existsSync(pidFile) ? Number(/^\d+/.exec(readFileSync(pidFile, 'utf8'))?.[0] ?? NaN) : NaN;
  if (Number.isInteger(pid) && pid > 0 && alive(pid)) {
    throw new Error(`another pcscd (pid ${pid}) owns ${socket}; run tests in a private namespace (npm test does) or stop it`);
  }
  if (!Number.isInteger(pid)) throw new Error(`${socket} exists without a readable pid file; refusing to remove it`);
  for (const file of [socket, pidFile]) if (existsSync(file)) unlinkSync(file);
}

/** Ports in LISTEN state, read from /proc so probing does not look like a card to vpcd. */
function listeningPorts(): Set<number> {
  const ports = new Set<number>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    if (!existsSync(table)) continue;
    for (const line of readFileSync(table, 'utf8').split('\n').slice(1)) {
      const [, local, , state] = line.trim().split(/\s+/);
      const port = local?.split(':').pop();
      if (state === '0A' && port) ports.add(parseInt(port, 16));
    }
  }
  return ports;
}

async function waitUntil(ready: () => boolean, what: string, child: ChildProcess, logFile: string): Promise<void> {
  for (let i = 0; i < READY_POLLS; i++) {
    if (ready()) return;
    if (child.exitCode !== null) break;
    await sleep(POLL_MS);
  }
  const log = existsSync(logFile) ? readFileSync(logFile, 'utf8').split('\n').slice(-8).join('\n') : '';
  throw new Error(`pcscd did not get ready (${what}); log tail:\n${log}`);
}

function pairReaders(pair: number): PcscdReader[] {
  const name = PAIR_NAMES[pair] ?? `VPCD ${pair}`;
  const port = pair === 0 ? FIRST_PORT : EXTRA_PORT_BASE + 2 * (pair - 1);
  return [{ name: `${name} 00 00`, port }, { name: `${name} 00 01`, port: port + 1 }];
}

function writePairConfig(configDir: string, pair: number, driverPath: string): PcscdReader[] {
  const readers = pairReaders(pair);
  const first = readers[0];
  if (!first) throw new TypeError('reader pair without readers');
  // pcscd parses every file in the config dir, so driver copies live next to it.
  const library = pair === 0 ? driverPath : join(dirname(configDir), `libifdvpcd-${pair}.so`);
  if (pair > 0) copyFileSync(driverPath, library);
  const channel = `0x${first.port.toString(16).toUpperCase()}`;
  const name = PAIR_NAMES[pair] ?? `VPCD ${pair}`;
  writeFileSync(join(configDir, `vpcd-${pair}`),
    `FRIENDLYNAME "${name}"\nDEVICENAME /dev/null:${channel}\nLIBPATH ${library}\nCHANNELID ${channel}\n`);
  return readers;
}

async function launch(pcscdPath: string, configDir: string, logFile: string, debug: boolean, readers: readonly PcscdReader[], run: RunFiles): Promise<ChildProcess> {
  claimSocket(run);
  // pcscd makes its /run/pcscd 0755; a socketDir keeps the mode its owner chose (0700: one user's PC/SC).
  const dirMode = run.private ? statSync(run.dir).mode & 0o7777 : undefined;
  const log = openSync(logFile, 'a');
  const args = ['--foreground', '-c', configDir, ...(debug ? ['--debug', '--apdu'] : [])];
  // unshare and sh exec, so the child's PID is pcscd's own.
  const child = run.private
    ? spawn('unshare', ['--mount', '--propagation', 'private', 'sh', '-c', `mount --bind "$0" ${RUN_DIR} && exec "$@"`, run.dir, pcscdPath, ...args], { stdio: ['ignore', log, log] })
    : spawn(pcscdPath, args, { stdio: ['ignore', log, log] });
  closeSync(log);
  try {
    // The pid file comes last: until it is there, another start would take the socket for a dead one's.
    await waitUntil(() => existsSync(run.socket) && existsSync(run.pidFile) && readers.every((r) => listeningPorts().has(r.port)), 'socket, pid file and vpcd ports', child, logFile);
    if (dirMode !== undefined) chmodSync(run.dir, dirMode);
  } catch (error) {
    await terminate(child, 'SIGKILL');
    throw error;
  }
  return child;
}

async function terminate(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill(signal);
  const killer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(killer);
}

/** Polls a short while for readers a SIGUSR1 rescan would add. */
const RESCAN_POLLS = 20;

class Harness implements PcscdHarness {
  restarts = 0;
  private pairs: number;

  constructor(
    private child: ChildProcess,
    readonly readers: PcscdReader[],
    readonly configDir: string,
    readonly logFile: string,
    private readonly dir: string,
    private readonly settings: { readonly pcscdPath: string; readonly driverPath: string; readonly debug: boolean; readonly run: RunFiles; readonly firstPair: number },
  ) {
    this.pairs = settings.firstPair + readers.length / 2;
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  get socket(): string {
    return this.settings.run.socket;
  }

  async addReaders(): Promise<PcscdReader[]> {
    if (this.pairs >= MAX_PAIRS) throw new RangeError(`pcscd already serves ${MAX_PAIRS * 2} readers`);
    const added = writePairConfig(this.configDir, this.pairs++, this.settings.driverPath);
    this.readers.push(...added);
    // pcsc-lite re-reads reader.conf.d on SIGUSR1 only when built with libusb hotplug;
    // Debian's libudev build ignores it (HPReCheckSerialReaders is empty), so restart then.
    this.child.kill('SIGUSR1');
    for (let i = 0; i < RESCAN_POLLS; i++) {
      if (added.every((r) => listeningPorts().has(r.port))) return added;
      await sleep(POLL_MS);
    }
    await terminate(this.child, 'SIGTERM');
    this.child = await launch(this.settings.pcscdPath, this.configDir, this.logFile, this.settings.debug, this.readers, this.settings.run);
    this.restarts++;
    return added;
  }

  async stop(): Promise<void> {
    await terminate(this.child, 'SIGTERM');
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export async function startPcscd(options: PcscdOptions = {}): Promise<PcscdHarness> {
  const pairs = options.readerPairs ?? 1;
  const firstPair = options.firstPair ?? 0;
  if (!Number.isInteger(firstPair) || firstPair < 0 || firstPair >= MAX_PAIRS) throw new RangeError(`firstPair must be 0..${MAX_PAIRS - 1}`);
  if (!Number.isInteger(pairs) || pairs < 1 || firstPair + pairs > MAX_PAIRS) throw new RangeError(`readerPairs must be 1..${MAX_PAIRS - firstPair}`);
  const pcscdPath = options.pcscdPath ?? '/usr/sbin/pcscd';
  const driverPath = options.driverPath ?? '/usr/lib/pcsc/drivers/serial/libifdvpcd.so';
  for (const file of [pcscdPath, driverPath]) if (!existsSync(file)) throw new Error(`${file} is missing (apt-get install pcscd vsmartcard-vpcd)`);
  const run = runFiles(options.socketDir);
  if (run.private && !existsSync(RUN_DIR)) throw new Error(`${RUN_DIR} is missing: a private pcscd binds its socketDir there`);
  if (run.private && !existsSync(run.dir)) throw new Error(`socketDir ${run.dir} does not exist`);
  claimSocket(run);
  const dir = mkdtempSync(join(tmpdir(), 't1c-pcscd-'));
  const configDir = join(dir, 'reader.conf.d');
  const logFile = join(dir, 'pcscd.log');
  try {
    mkdirSync(configDir);
    const readers: PcscdReader[] = [];
    for (let pair = firstPair; pair < firstPair + pairs; pair++) readers.push(...writePairConfig(configDir, pair, driverPath));
    const debug = options.debug ?? false;
    const child = await launch(pcscdPath, configDir, logFile, debug, readers, run);
    return new Harness(child, readers, configDir, logFile, dir, { pcscdPath, driverPath, debug, run, firstPair });
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}
