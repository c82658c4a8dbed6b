/**
 * The what-if simulation's model of a fleet's agents: when each reports on a directive, and
 * whether it fails on the new revision, drawn deterministically from the seed and its id. Pure.
 */
import type { FleetMember, Step } from './model.js';
import type { SimulationOptions } from './simulate.js';

interface AgentReport {
  at: number;
  clusterId: string;
  seq: number;
  revision: string;
  fails: boolean;
}

/**
 * The fleet's agents: each acts on its directives in order, reporting each outcome after its own
 * delay. A directive already taken is carried out even when a newer one follows (a rollback finds
 * the cluster on the new revision, or about to be).
 */
export class SimulatedAgents {
  private seq = 0;
  /** Directives each cluster was given so far, so each draws its own delay. */
  private readonly given = new Map<string, number>();
  /** Reports still to come, per cluster, in order. */
  private readonly pending = new Map<string, AgentReport[]>();
  /** Clusters that applied the new revision, and whether they failed on it. */
  readonly exposed = new Map<string, boolean>();

  constructor(
    private readonly options: SimulationOptions,
    private readonly revision: string,
  ) {}

  /** Numbers the step's directives, and schedules what the online agents will report. */
  direct(step: Step, now: number, view: ReadonlyMap<string, FleetMember>): Map<string, number> {
    const { seed, failureRate, healthyAfter, tickMs } = this.options;
    const seqs = new Map<string, number>();
    for (const d of step.directives) {
      const seq = ++this.seq;
      seqs.set(d.clusterId, seq);
      const n = (this.given.get(d.clusterId) ?? 0) + 1;
      this.given.set(d.clusterId, n);
      if (!view.get(d.clusterId)?.online) continue;
      const queue = this.pending.get(d.clusterId) ?? [];
      const from = Math.max(now, queue.at(-1)?.at ?? now);
      const delay = healthyAfter.minMs + Math.floor(random(seed, d.clusterId, n) * (healthyAfter.maxMs - healthyAfter.minMs + 1));
      const fails = d.revision === this.revision && random(seed, d.clusterId, 0) < failureRate;
      // The hub takes in what arrived since its last tick together: reports land on the tick grid.
      queue.push({ at: Math.ceil((from + delay) / tickMs) * tickMs, clusterId: d.clusterId, seq, revision: d.revision, fails });
      this.pending.set(d.clusterId, queue);
    }
    return seqs;
  }

  nextAt(): number | undefined {
    let next: number | undefined;
    for (const queue of this.pending.values()) if (next === undefined || queue[0]!.at < next) next = queue[0]!.at;
    return next;
  }

  reportUntil(now: number, view: Map<string, FleetMember>): void {
    for (const [id, queue] of this.pending) {
      while (queue.length > 0 && queue[0]!.at <= now) {
        const report = queue.shift()!;
        view.set(id, {
          ...view.get(id)!,
          appliedRevision: report.revision,
          desiredRevision: report.revision,
          directiveSeq: report.seq,
          health: report.fails ? 'Failed' : 'Healthy',
          message: report.fails ? 'simulated failure' : '',
        });
        this.expose(report);
      }
      if (queue.length === 0) this.pending.delete(id);
    }
  }

  /** Counts as exposed the clusters that will still apply the new revision after the simulation stops. */
  settle(): void {
    for (const queue of this.pending.values()) for (const report of queue) this.expose(report);
  }

  private expose(report: AgentReport): void {
    if (report.revision === this.revision) this.exposed.set(report.clusterId, report.fails || (this.exposed.get(report.clusterId) ?? false));
  }
}

/** A uniform draw in [0, 1) from the seed, a cluster and a counter: FNV-1a, then a 32-bit finalizer. */
function random(seed: number, clusterId: string, n: number): number {
  let h = 0x811c9dc5 ^ seed;
  const text = `${clusterId}\0${n}`;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return ((h ^ (h >>> 16)) >>> 0) / 2 ** 32;
}
