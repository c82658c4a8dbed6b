/** One step of the rollout engine, collected over an immutable rollout. Pure. */
import type { AuditEntry, ClusterProgress, DirectiveIntent, FleetView, Rollout, Step } from './model.js';

/** Collects one step's changes over an immutable rollout. */
export class StepBuilder {
  private readonly clusters: Map<string, ClusterProgress>;
  private rollout: Rollout;
  readonly directives: DirectiveIntent[] = [];
  readonly audit: AuditEntry[] = [];
  private readonly changed = new Set<string>();

  constructor(
    rollout: Rollout,
    readonly fleet: FleetView,
    readonly now: number,
  ) {
    this.rollout = rollout;
    this.clusters = new Map(rollout.clusters);
  }

  get current(): Rollout {
    return this.rollout;
  }

  cluster(id: string): ClusterProgress {
    return this.clusters.get(id)!;
  }

  entries(): IterableIterator<[string, ClusterProgress]> {
    return this.clusters.entries();
  }

  setCluster(id: string, next: ClusterProgress): void {
    const previous = this.clusters.get(id)!;
    if (previous === next) return;
    this.clusters.set(id, next);
    this.changed.add(id);
    if (previous.phase !== next.phase) {
      this.log(id, `cluster:${next.phase}`, `${id}: ${previous.phase} → ${next.phase}${next.reason ? ` (${next.reason})` : ''}`);
    }
  }

  direct(id: string, revision: string, wave: string, fields: Partial<ClusterProgress> = {}): void {
    this.setCluster(id, { ...this.cluster(id), ...fields, phase: 'directed', directedAt: this.now, healthySince: null, reason: null });
    this.directives.push({ clusterId: id, revision, wave });
  }

  set(fields: Partial<Omit<Rollout, 'clusters'>>, action?: string, message?: string): void {
    this.rollout = { ...this.rollout, ...fields };
    if (action) this.log(null, action, message ?? action);
  }

  log(clusterId: string | null, action: string, message: string): void {
    this.audit.push({ at: this.now, rolloutId: this.rollout.id, clusterId, action, message });
  }

  build(): Step {
    const changed = this.changed.size > 0 || this.audit.length > 0;
    const rollout = changed ? { ...this.rollout, clusters: this.clusters, updatedAt: this.now } : this.rollout;
    return { rollout, directives: this.directives, audit: this.audit, changed: [...this.changed] };
  }
}
