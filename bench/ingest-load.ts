/**
 * A load process of the ingest bench (forked by `ingest.ts`, driven over IPC). It holds many
 * agents' links to the hub — the agent's own `MqttUplink`, one mqtt.js connection each — and
 * each agent reports in a closed loop: a report of records with the next seqs, then wait for the
 * hub's ack covering them, as the outbox pump does — at once (closed loop, to find the hub's
 * capacity) or once per interval (a paced load, to see latency at a given rate). Seqs advance
 * only on an ack; an ack that does not come is waited for again after a resend.
 */
import { MqttUplink } from '../agent/src/adapters/uplink/mqtt-uplink.js';
import { PROTOCOL_VERSION } from '../shared/src/protocol/protocol.js';
import type { ReportRecord } from '../shared/src/protocol/protocol.js';
import { createLogger } from '../shared/src/logger.js';

export type LoadCommand =
  | { type: 'connect'; url: string; token: string; clusterIds: string[]; concurrency: number }
  /** Without `intervalMs` each agent sends its next report as soon as the last is acked. */
  | { type: 'start'; recordsPerReport: number; intervalMs?: number }
  /** Starts a measuring window: counters and latencies restart from zero. */
  | { type: 'mark' }
  | { type: 'collect' }
  /** Lets every loop finish its report in flight, then stops them. */
  | { type: 'stop' }
  | { type: 'close' };

export type LoadReply =
  | { type: 'connected'; clusters: number }
  | { type: 'window'; records: number; reports: number; resends: number; ms: number; cpuMs: number; latenciesMs: number[] }
  | { type: 'stopped' }
  | { type: 'closed' };

const ACK_TIMEOUT_MS = 30_000;
const logger = createLogger({ name: 'bench-load', level: 'silent' });
const at = new Date().toISOString();
const revision = 'a'.repeat(40);

/** One status record (the cluster's state) and events, as an agent reports after a reconcile. */
function records(firstSeq: number, count: number): ReportRecord[] {
  const list: ReportRecord[] = [
    {
      seq: firstSeq,
      kind: 'status',
      at,
      status: { appliedRevision: revision, desiredRevision: revision, health: 'Healthy', conditions: [], objectCount: 12 },
    },
  ];
  for (let seq = firstSeq + 1; seq < firstSeq + count; seq++) {
    list.push({ seq, kind: 'event', at, event: { reason: 'Applied', message: `applied revision ${revision} (record ${seq})`, severity: 'info' } });
  }
  return list;
}

interface Window {
  startedAt: number;
  cpu: NodeJS.CpuUsage;
  records: number;
  reports: number;
  resends: number;
  latenciesMs: number[];
}

const newWindow = (): Window => ({ startedAt: performance.now(), cpu: process.cpuUsage(), records: 0, reports: 0, resends: 0, latenciesMs: [] });

class LoadAgent {
  private ackedUpTo = 0;
  private waiter: { upTo: number; resolve: (acked: boolean) => void } | undefined;

  constructor(
    readonly clusterId: string,
    readonly uplink: MqttUplink,
  ) {
    uplink.onAck((ack) => {
      this.ackedUpTo = Math.max(this.ackedUpTo, ack.upTo);
      if (this.waiter && ack.upTo >= this.waiter.upTo) {
        this.waiter.resolve(true);
        this.waiter = undefined;
      }
    });
  }

  async run(recordsPerReport: number, intervalMs: number | undefined, running: () => boolean, window: () => Window): Promise<void> {
    // Paced agents start at random points of the interval, as a real fleet's do.
    let nextAt = performance.now() + (intervalMs === undefined ? 0 : Math.random() * intervalMs);
    while (running()) {
      if (intervalMs !== undefined) {
        const wait = nextAt - performance.now();
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
        nextAt += intervalMs;
        if (!running()) return;
      }
      const batch = records(this.ackedUpTo + 1, recordsPerReport);
      const upTo = batch.at(-1)!.seq;
      const sentAt = performance.now();
      try {
        await this.uplink.publishReport({ v: PROTOCOL_VERSION, clusterId: this.clusterId, records: batch });
      } catch {
        window().resends++;
        await new Promise((resolve) => setTimeout(resolve, 500));
        continue;
      }
      if (!(await this.ackCovering(upTo))) {
        window().resends++;
        continue;
      }
      const current = window();
      current.records += batch.length;
      current.reports += 1;
      current.latenciesMs.push(performance.now() - sentAt);
    }
  }

  private ackCovering(upTo: number): Promise<boolean> {
    if (this.ackedUpTo >= upTo) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiter = undefined;
        resolve(false);
      }, ACK_TIMEOUT_MS);
      this.waiter = {
        upTo,
        resolve: (acked) => {
          clearTimeout(timer);
          resolve(acked);
        },
      };
    });
  }
}

const agents: LoadAgent[] = [];
let window = newWindow();
let running = false;
let loops: Promise<void>[] = [];

function firstConnect(uplink: MqttUplink): Promise<void> {
  return new Promise((resolve) => uplink.onConnect(resolve));
}

/** Connects `concurrency` at a time: each login costs the hub a scrypt verification. */
async function connectAll(command: Extract<LoadCommand, { type: 'connect' }>): Promise<void> {
  const queue = [...command.clusterIds];
  const worker = async () => {
    for (let clusterId = queue.shift(); clusterId !== undefined; clusterId = queue.shift()) {
      const uplink = new MqttUplink({ url: command.url, clusterId, token: command.token, agentVersion: 'bench', logger });
      await firstConnect(uplink);
      agents.push(new LoadAgent(clusterId, uplink));
    }
  };
  await Promise.all(Array.from({ length: command.concurrency }, worker));
}

const send = (reply: LoadReply) => process.send?.(reply);

// Should the bench die, its load processes must not live on, reconnecting thousands of clients.
process.on('disconnect', () => process.exit(0));

process.on('message', (command: LoadCommand) => {
  switch (command.type) {
    case 'connect':
      void connectAll(command).then(() => send({ type: 'connected', clusters: agents.length }));
      break;
    case 'start':
      running = true;
      loops = agents.map((agent) => agent.run(command.recordsPerReport, command.intervalMs, () => running, () => window));
      break;
    case 'mark':
      window = newWindow();
      break;
    case 'collect': {
      const cpu = process.cpuUsage(window.cpu);
      send({
        type: 'window',
        records: window.records,
        reports: window.reports,
        resends: window.resends,
        ms: performance.now() - window.startedAt,
        cpuMs: (cpu.user + cpu.system) / 1000,
        latenciesMs: window.latenciesMs,
      });
      break;
    }
    case 'stop':
      running = false;
      void Promise.all(loops).then(() => send({ type: 'stopped' }));
      break;
    case 'close':
      void Promise.all(agents.map((agent) => agent.uplink.close())).then(() => {
        send({ type: 'closed' });
      });
      break;
  }
});
