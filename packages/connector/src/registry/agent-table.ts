import type { Socket } from 'node:net';
import type { OsUserId } from '../os/peer-user/index.js';

/** One user's API, registered over the channel. */
export interface LiveAgent {
  readonly user: OsUserId;
  readonly username: string;
  readonly pid: number;
  readonly socket: Socket;
  readonly registeredAt: Date;
  port: number;
  sandboxPid: number | undefined;
  /** Listening and verified as the owner of its port: only then does traffic go to it. */
  ready: boolean;
  lastUsed: Date;
}

/** The Agent record of the wire API (t1c-api.md §1.7, CoreModel.ts `Agent`). */
export interface AgentRecord {
  readonly username: string;
  readonly apiIp: string;
  readonly apiPort: string;
  readonly apiPid: string;
  readonly sandboxIp: string;
  readonly sandboxPort: string;
  readonly sandboxPid: string;
  readonly apiLastUsed: string;
  readonly clientLastUsed: string;
  readonly validityInDays: string;
  readonly connectionState: string;
  readonly hostname: string;
}

/** The live agents, at most one per OS user. */
export class AgentTable {
  private readonly byUser = new Map<OsUserId, LiveAgent>();

  add(agent: LiveAgent): void {
    this.byUser.set(agent.user, agent);
  }

  /** Drops the agent only if `socket` is still the one registered (not a newer registration). */
  removeBySocket(socket: Socket): LiveAgent | undefined {
    for (const [user, agent] of this.byUser) {
      if (agent.socket === socket) {
        this.byUser.delete(user);
        return agent;
      }
    }
    return undefined;
  }

  ofUser(user: OsUserId | undefined): LiveAgent | undefined {
    if (user === undefined) return undefined;
    const agent = this.byUser.get(user);
    return agent?.ready ? agent : undefined;
  }

  /** Registered at all (ready or still binding). */
  has(user: OsUserId): boolean {
    return this.byUser.has(user);
  }

  all(): LiveAgent[] {
    return [...this.byUser.values()];
  }

  ready(): LiveAgent[] {
    return [...this.byUser.values()].filter((a) => a.ready);
  }

  ports(): Set<number> {
    return new Set([...this.byUser.values()].map((a) => a.port));
  }

  get size(): number {
    return this.byUser.size;
  }
}

export function agentRecord(agent: LiveAgent, hostname: string, extra: { validityInDays?: number; state?: string } = {}): AgentRecord {
  return {
    username: agent.username,
    apiIp: '127.0.0.1',
    apiPort: String(agent.port),
    apiPid: String(agent.pid),
    sandboxIp: '',
    sandboxPort: '',
    sandboxPid: agent.sandboxPid === undefined ? '' : String(agent.sandboxPid),
    apiLastUsed: agent.lastUsed.toISOString(),
    clientLastUsed: new Date().toISOString(),
    validityInDays: extra.validityInDays === undefined ? '' : String(extra.validityInDays),
    connectionState: extra.state ?? 'CONNECTED',
    hostname,
  };
}
