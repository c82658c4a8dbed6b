/**
 * The fleet simulator: N real agents against one hub, spread over child processes (agent
 * hosts), each agent with its own SQLite data dir and its own cluster on a shared simulated
 * Kubernetes API. Agents are real — directed mode, signed directives, Git over HTTP — so what
 * the fleet does is what a fleet would do; only the clusters are simulated.
 */
import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { HostReply } from './messages.js';
import type { HostedAgent, HostRequest, HostStats, SharedAgentSettings } from './messages.js';

export interface FleetOptions {
  count: number;
  hub: {
    mqttUrl: string;
    /** Each cluster's hub token (from registering it), by cluster id. */
    tokens: Readonly<Record<string, string>>;
  };
  git: { url: string; path?: string; branch?: string };
  /** Base URL of the simulated Kubernetes API server; cluster `id` is served under `/clusters/{id}`. */
  kubeUrl: string;
  /** The hub's public key (PEM file): agents run in directed mode and trust only it. */
  trustedKeyFile: string;
  /** Labels of the `i`-th cluster (default none). */
  labels?: (index: number) => Record<string, string>;
  /** Id of the `i`-th cluster (default `site-0000`, `site-0001`, …). */
  clusterId?: (index: number) => string;
  /** Each agent keeps its SQLite file and Git cache under `dataDir/{id}`. */
  dataDir: string;
  /** Agents per child process (default 50). */
  agentsPerProcess?: number;
  /** Reconcile interval of every agent (default 30). */
  intervalSeconds?: number;
  /** Extra raw agent config, validated like a config file, e.g. `{ health: { deadlineSeconds: 5 } }`. */
  agentConfig?: Record<string, unknown>;
  /** Log level of the agents, which log to this process's standard error (default `silent`). */
  logLevel?: SharedAgentSettings['logLevel'];
}

export interface Fleet {
  clusterIds: string[];
  labels: ReadonlyMap<string, Record<string, string>>;
  /** Stops (offline) or starts again (online) one cluster's agent; its data dir is kept. */
  setOnline(clusterId: string, online: boolean): Promise<void>;
  /** Memory and CPU of each agent host process. */
  stats(): Promise<HostStats[]>;
  /** Stops every agent and host process. */
  stop(): Promise<void>;
}

export const defaultClusterId = (index: number) => `site-${String(index).padStart(4, '0')}`;

// Runs as shipped (plain JavaScript under dist/) or from the TypeScript sources through tsx.
const HOST_ENTRY = fileURLToPath(new URL(`./agent-host${extname(fileURLToPath(import.meta.url))}`, import.meta.url));
const HOST_EXEC_ARGV = HOST_ENTRY.endsWith('.ts') ? ['--import', 'tsx'] : [];

/** Starts the fleet; resolves once every agent has started (not yet connected or reconciled). */
export async function startFleet(options: FleetOptions): Promise<Fleet> {
  const clusterIds = Array.from({ length: options.count }, (_, i) => (options.clusterId ?? defaultClusterId)(i));
  const labels = new Map(clusterIds.map((id, i) => [id, options.labels?.(i) ?? {}]));
  const agents: HostedAgent[] = clusterIds.map((clusterId) => {
    const token = options.hub.tokens[clusterId];
    if (token === undefined) throw new Error(`no hub token for cluster ${clusterId}: register it with the hub and pass its token in hub.tokens`);
    return { clusterId, labels: labels.get(clusterId)!, token, dataDir: join(options.dataDir, clusterId) };
  });
  mkdirSync(options.dataDir, { recursive: true });
  const shared: SharedAgentSettings = {
    mqttUrl: options.hub.mqttUrl,
    gitUrl: options.git.url,
    gitPath: options.git.path ?? '',
    branch: options.git.branch ?? 'main',
    kubeUrl: options.kubeUrl.replace(/\/$/, ''),
    trustedKeyFile: options.trustedKeyFile,
    intervalSeconds: options.intervalSeconds ?? 30,
    agentConfig: options.agentConfig ?? {},
    logLevel: options.logLevel ?? 'silent',
  };

  const perProcess = Math.max(1, options.agentsPerProcess ?? 50);
  const hosts: AgentHost[] = [];
  const hostOf = new Map<string, AgentHost>();
  const stop = () => Promise.all(hosts.map((host) => host.stop())).then(() => undefined);
  try {
    for (let start = 0; start < agents.length; start += perProcess) hosts.push(new AgentHost());
    await Promise.all(
      hosts.map((host, i) => {
        const share = agents.slice(i * perProcess, (i + 1) * perProcess);
        for (const agent of share) hostOf.set(agent.clusterId, host);
        return host.request({ type: 'start', shared, agents: share });
      }),
    );
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    clusterIds,
    labels,
    async setOnline(clusterId, online) {
      const host = hostOf.get(clusterId);
      if (!host) throw new Error(`no cluster ${clusterId} in this fleet`);
      await host.request({ type: 'setOnline', clusterId, online });
    },
    stats: () => Promise.all(hosts.map((host) => host.request({ type: 'stats' }).then((stats) => stats!))),
    stop,
  };
}

type Request = HostRequest extends infer R ? (R extends { id: number } ? Omit<R, 'id'> : never) : never;

/** One child process and its pending requests. */
class AgentHost {
  private readonly child: ChildProcess;
  private readonly pending = new Map<number, { resolve: (stats: HostStats | undefined) => void; reject: (error: Error) => void }>();
  private nextId = 0;
  private readonly exited: Promise<void>;

  constructor() {
    this.child = fork(HOST_ENTRY, [], { execArgv: HOST_EXEC_ARGV, stdio: ['ignore', 'inherit', 'inherit', 'ipc'], serialization: 'json' });
    this.exited = new Promise((resolve) =>
      this.child.once('exit', (code, signal) => {
        this.failAll(new Error(`agent host ${this.child.pid} exited (${signal ?? `code ${code}`})`));
        resolve();
      }),
    );
    this.child.on('message', (raw: unknown) => {
      const parsed = HostReply.safeParse(raw);
      if (!parsed.success) {
        this.failAll(new Error(`agent host ${this.child.pid} sent a malformed reply: ${parsed.error.message}`));
        return;
      }
      const reply = parsed.data;
      const waiter = this.pending.get(reply.id);
      this.pending.delete(reply.id);
      if (reply.type === 'done') waiter?.resolve(reply.stats);
      else waiter?.reject(new Error(`agent host ${this.child.pid}: ${reply.message}`));
    });
  }

  request(request: Request): Promise<HostStats | undefined> {
    return new Promise((resolve, reject) => {
      if (!this.child.connected) {
        reject(new Error(`agent host ${this.child.pid} is not running`));
        return;
      }
      const id = this.nextId++;
      this.pending.set(id, { resolve, reject });
      this.child.send({ ...request, id } as HostRequest);
    });
  }

  /** Stops its agents cleanly, then lets it exit (it exits on disconnect); kills it if it hangs. */
  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      await this.request({ type: 'stop' }).catch(() => undefined);
      if (this.child.connected) this.child.disconnect();
      const timer = setTimeout(() => this.child.kill('SIGKILL'), 5000);
      await this.exited;
      clearTimeout(timer);
    }
  }

  private failAll(error: Error): void {
    for (const waiter of this.pending.values()) waiter.reject(error);
    this.pending.clear();
  }
}
