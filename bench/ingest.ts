/**
 * Ingest: the hub (in this process) under 1,000 and then 5,000 connected agents held by four
 * load processes (`ingest-load.ts`). Each agent sends a report of RECORDS_PER_REPORT records and
 * waits for the hub's ack, twice over: in a closed loop (next report as soon as the ack is in),
 * whose rate of records committed and acknowledged is the hub's capacity and whose latency is
 * mostly queueing; and paced to PACED_RECORDS_PER_SEC across the fleet, whose report-to-ack
 * latency is what agents see at that rate. RSS is this process's: the hub plus a small
 * coordinator.
 *
 * Registration and logins are setup, outside the measured windows: every login still costs the
 * hub a scrypt verification, but all bench clusters share one token hash so that registering
 * 5,000 of them does not take 5,000 more. Where Mosquitto is installed, the same 5,000 agents
 * then run against it as the peer (`mosquitto-peer.ts`).
 */
import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HubConfig } from '../hub/src/config/hub-config.js';
import { generateToken, hashToken } from '../hub/src/access/credentials.js';
import { startHub } from '../hub/src/hub.js';
import { createLogger } from '../shared/src/logger.js';
import type { LoadCommand, LoadReply } from './ingest-load.js';
import { findProgram, ratio } from './measure.js';
import { startMosquittoPeer } from './mosquitto-peer.js';

const LOAD_PROCESSES = 4;
const RECORDS_PER_REPORT = 10;
/** Pending logins per load process; the hub verifies them on its thread pool. */
const CONNECT_CONCURRENCY = 8;
const WARMUP_MS = 3_000;
const WINDOW_MS = 10_000;
/** The paced load: the rate the hub must sustain with 5,000 agents. */
const PACED_RECORDS_PER_SEC = 10_000;

/** One measuring window: closed loop (capacity) or paced at PACED_RECORDS_PER_SEC. */
export interface IngestWindow {
  recordsPerSec: number;
  ackP50Ms: number;
  ackP99Ms: number;
  /** Peak RSS of the server under test. */
  serverRssMb: number;
  /** CPU of the server under test, in % of one core. */
  serverCpuPercent: number;
  loadCpuPercent: number;
  resends: number;
}

export interface IngestPhase {
  agents: number;
  saturated: IngestWindow;
  paced: IngestWindow;
}

/** What the agents connect to, and how to read its resource use. */
interface Server {
  url: string;
  token: string;
  rssMb(): number;
  cpuMs(): number;
}

class LoadProcess {
  private readonly child: ChildProcess;
  private readonly replies: LoadReply[] = [];
  private readonly waiters: ((reply: LoadReply) => void)[] = [];

  constructor() {
    // fork() passes on this process's execArgv, so the child runs TypeScript the same way.
    this.child = fork(join(import.meta.dirname, 'ingest-load.ts'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    this.child.on('message', (reply: LoadReply) => {
      const waiter = this.waiters.shift();
      if (waiter) waiter(reply);
      else this.replies.push(reply);
    });
  }

  send(command: LoadCommand): void {
    this.child.send(command);
  }

  async request<T extends LoadReply['type']>(command: LoadCommand, expected: T): Promise<Extract<LoadReply, { type: T }>> {
    this.send(command);
    const reply = this.replies.shift() ?? (await new Promise<LoadReply>((resolve) => this.waiters.push(resolve)));
    if (reply.type !== expected) throw new Error(`load process answered ${reply.type} to ${command.type}, expected ${expected}`);
    return reply as Extract<LoadReply, { type: T }>;
  }

  kill(): void {
    if (this.child.exitCode === null) this.child.kill();
  }
}

const percentile = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? Number.NaN;
const round = (value: number, digits = 1): number => Math.round(value * 10 ** digits) / 10 ** digits;

export async function runIngestBench(phases: readonly number[] = [1_000, 5_000]): Promise<{ hub: IngestPhase[]; mosquitto?: IngestPhase }> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-ingest-'));
  const ids = Array.from({ length: Math.max(...phases) }, (_, i) => `bench-${String(i).padStart(5, '0')}`);
  try {
    const config = HubConfig.parse({
      database: join(dir, 'hub.db'),
      // One address opens thousands of connections, as in the demo.
      mqtt: { host: '127.0.0.1', port: 0, connectionRate: { perSecond: 10_000, burst: 10_000, perAddressPerSecond: 10_000, perAddressBurst: 10_000 } },
      http: { host: '127.0.0.1', port: 0 },
    });
    const hub = await startHub({ config, logger: createLogger({ name: 'bench-hub', level: 'warn' }) });
    let results: IngestPhase[];
    try {
      const token = generateToken();
      const tokenHash = await hashToken(token);
      const registeredAt = new Date();
      for (const id of ids) hub.store.registerCluster(id, { bench: 'ingest' }, tokenHash, registeredAt);
      const server: Server = { url: hub.mqttUrl, token, rssMb: () => process.memoryUsage().rss / 2 ** 20, cpuMs: () => cpuMsOf(process.cpuUsage()) };
      results = await runPhases('hub', server, ids, phases);
    } finally {
      await hub.close();
    }

    const mosquitto = findProgram('mosquitto', ['/usr/sbin']);
    if (mosquitto === undefined) {
      console.log('mosquitto not found: no peer figure');
      return { hub: results };
    }
    const peer = await startMosquittoPeer(mosquitto.path, dir);
    try {
      // The broker's own use, plus this process's: the responder that stands in for ingest.
      const server: Server = {
        url: peer.url,
        token: 'unused',
        rssMb: () => procStatus(peer.pid).rssMb,
        cpuMs: () => procStatus(peer.pid).cpuMs + cpuMsOf(process.cpuUsage()),
      };
      const [phase] = await runPhases('mosquitto', server, ids, [Math.max(...phases)]);
      return { hub: results, mosquitto: phase! };
    } finally {
      await peer.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Connects agents in steps of `phases` and measures each step closed-loop and paced. */
async function runPhases(name: string, server: Server, ids: readonly string[], phases: readonly number[]): Promise<IngestPhase[]> {
  const loaders = Array.from({ length: LOAD_PROCESSES }, () => new LoadProcess());
  try {
    const results: IngestPhase[] = [];
    let connected = 0;
    for (const agents of phases) {
      const loginStart = performance.now();
      const newIds = ids.slice(connected, agents);
      await Promise.all(
        loaders.map((loader, index) =>
          loader.request(
            { type: 'connect', url: server.url, token: server.token, clusterIds: newIds.filter((_, i) => i % LOAD_PROCESSES === index), concurrency: CONNECT_CONCURRENCY },
            'connected',
          ),
        ),
      );
      connected = agents;
      console.log(`${name}: ${agents} agents connected (${newIds.length} logins in ${round((performance.now() - loginStart) / 1000)} s, setup)`);

      const saturated = await measure(server, loaders, {});
      report(name, agents, 'closed loop', saturated);
      const intervalMs = Math.round(((agents * RECORDS_PER_REPORT) / PACED_RECORDS_PER_SEC) * 1000);
      const paced = await measure(server, loaders, { intervalMs });
      report(name, agents, `paced, a report every ${intervalMs / 1000} s`, paced);
      results.push({ agents, saturated, paced });
    }
    await Promise.all(loaders.map((loader) => loader.request({ type: 'close' }, 'closed')));
    return results;
  } finally {
    for (const loader of loaders) loader.kill();
  }
}

const cpuMsOf = (usage: NodeJS.CpuUsage): number => (usage.user + usage.system) / 1000;

/** RSS and CPU time of another process, from /proc (Linux). */
function procStatus(pid: number): { rssMb: number; cpuMs: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN);
  // Fields 14 and 15 of /proc/PID/stat (utime, stime) in clock ticks of 10 ms, after the command name.
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return { rssMb: rssKb / 1024, cpuMs: (Number(fields[11]) + Number(fields[12])) * 10 };
}

/** Starts every agent's loop, waits out the warm-up, measures one window, and stops them. */
async function measure(server: Server, loaders: LoadProcess[], { intervalMs }: { intervalMs?: number }): Promise<IngestWindow> {
  for (const loader of loaders) loader.send({ type: 'start', recordsPerReport: RECORDS_PER_REPORT, ...(intervalMs ? { intervalMs } : {}) });
  // Paced agents start spread over one interval; wait until all of them are reporting.
  await new Promise((resolve) => setTimeout(resolve, Math.max(WARMUP_MS, (intervalMs ?? 0) + 1_000)));
  for (const loader of loaders) loader.send({ type: 'mark' });
  const cpuBefore = server.cpuMs();
  let peakRss = server.rssMb();
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, server.rssMb())), 250);
  const windowStart = performance.now();
  await new Promise((resolve) => setTimeout(resolve, WINDOW_MS));
  const windows = await Promise.all(loaders.map((loader) => loader.request({ type: 'collect' }, 'window')));
  const windowMs = performance.now() - windowStart;
  clearInterval(sampler);
  const cpuUsed = server.cpuMs() - cpuBefore;
  await Promise.all(loaders.map((loader) => loader.request({ type: 'stop' }, 'stopped')));
  const records = windows.reduce((sum, w) => sum + w.records, 0);
  const latencies = windows.flatMap((w) => w.latenciesMs).sort((a, b) => a - b);
  return {
    recordsPerSec: Math.round(records / (windowMs / 1000)),
    ackP50Ms: round(percentile(latencies, 50)),
    ackP99Ms: round(percentile(latencies, 99)),
    serverRssMb: Math.round(peakRss),
    serverCpuPercent: Math.round((cpuUsed / windowMs) * 100),
    loadCpuPercent: Math.round((windows.reduce((sum, w) => sum + w.cpuMs, 0) / windowMs) * 100),
    resends: windows.reduce((sum, w) => sum + w.resends, 0),
  };
}

function report(name: string, agents: number, mode: string, window: IngestWindow): void {
  console.log(
    `${name}: ${agents} agents, ${mode}: ${window.recordsPerSec} records/s acked, ` +
      `report-to-ack p50 ${window.ackP50Ms} ms p99 ${window.ackP99Ms} ms, RSS ${window.serverRssMb} MB, ` +
      `CPU ${name} ${window.serverCpuPercent} % load ${window.loadCpuPercent} % (of one core), resends ${window.resends}`,
  );
}

export async function ingestBench(): Promise<Record<string, number>> {
  const { hub, mosquitto } = await runIngestBench([1_000, 5_000]);
  const [small, large] = hub as [IngestPhase, IngestPhase];
  const figures: Record<string, number> = {
    recordsPerReport: RECORDS_PER_REPORT,
    recordsPerSec1k: small.saturated.recordsPerSec,
    recordsPerSec5k: large.saturated.recordsPerSec,
    // Latency with 5,000 agents paced at PACED_RECORDS_PER_SEC; under a closed loop it is queueing.
    pacedRecordsPerSec: large.paced.recordsPerSec,
    ackP50Ms: large.paced.ackP50Ms,
    ackP99Ms: large.paced.ackP99Ms,
    ackP50Ms1k: small.paced.ackP50Ms,
    ackP99Ms1k: small.paced.ackP99Ms,
    saturatedAckP50Ms5k: large.saturated.ackP50Ms,
    saturatedAckP99Ms5k: large.saturated.ackP99Ms,
    hubRssMb: Math.max(large.saturated.serverRssMb, large.paced.serverRssMb),
  };
  if (mosquitto) {
    figures['mosquittoRecordsPerSec5k'] = mosquitto.saturated.recordsPerSec;
    figures['mosquittoAckP50Ms'] = mosquitto.paced.ackP50Ms;
    figures['mosquittoAckP99Ms'] = mosquitto.paced.ackP99Ms;
    figures['mosquittoRssMb'] = Math.max(mosquitto.saturated.serverRssMb, mosquitto.paced.serverRssMb);
    figures['recordsPerSecVsMosquitto'] = ratio(large.saturated.recordsPerSec, mosquitto.saturated.recordsPerSec);
    console.log(`ratio hub/mosquitto (closed loop, 5,000 agents): ${figures['recordsPerSecVsMosquitto']}`);
  }
  return figures;
}
