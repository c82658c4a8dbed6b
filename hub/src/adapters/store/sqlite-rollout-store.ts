import type Database from 'better-sqlite3';
import { z } from 'zod';
import { withDirectiveSeqs } from '../../core/rollout/engine.js';
import { ACTIVE_STATUSES } from '../../core/rollout/model.js';
import type { AuditEntry, ClusterPhase, ClusterProgress, Rollout, RolloutStatus, Step } from '../../core/rollout/model.js';
import type { RolloutPlan } from '../../core/rollout/plan.js';
import type { RolloutOrigin, RolloutStore, RolloutSummary } from '../../ports/rollout-store.js';

interface RolloutRow {
  id: string;
  plan: string;
  revision: string;
  status: RolloutStatus;
  reason: string | null;
  wave: number;
  wave_started_at: number;
  acknowledged: string;
  created_at: number;
  updated_at: number;
  origin: string;
}

interface ClusterRow {
  cluster_id: string;
  wave: number;
  phase: ClusterPhase;
  previous_revision: string | null;
  directive_seq: number | null;
  directed_at: number | null;
  healthy_since: number | null;
  reason: string | null;
}

const Origin = z.union([
  z.strictObject({ by: z.literal('operator'), name: z.string() }),
  z.strictObject({ by: z.literal('git'), commit: z.string() }),
]);

const ACTIVE = [...ACTIVE_STATUSES];

/**
 * Rows are written by this class only, from values the engine produced, so they are read back
 * without re-validating each of thousands of cluster rows; the origin, written from outside
 * input, is checked.
 */
export class SqliteRolloutStore implements RolloutStore {
  constructor(private readonly db: Database.Database) {}

  commit(steps: readonly { step: Step; origin?: RolloutOrigin }[], recordDirectives: () => ReadonlyMap<string, number>): Rollout[] {
    return this.db.transaction(() => {
      const seqs = recordDirectives();
      return steps.map(({ step, origin }) => this.save(step, origin, seqs));
    })();
  }

  private save(step: Step, origin: RolloutOrigin | undefined, seqs: ReadonlyMap<string, number>): Rollout {
    const directed = new Set(step.directives.map((d) => d.clusterId));
    const mine = new Map([...seqs].filter(([id]) => directed.has(id)));
    const rollout = withDirectiveSeqs(step.rollout, mine);
    this.db
      .prepare(
        `INSERT INTO rollouts (id, plan, revision, status, reason, wave, wave_started_at, acknowledged, created_at, updated_at, origin)
         VALUES (@id, @plan, @revision, @status, @reason, @wave, @waveStartedAt, @acknowledged, @createdAt, @updatedAt, @origin)
         ON CONFLICT (id) DO UPDATE SET status = excluded.status, reason = excluded.reason, wave = excluded.wave,
           wave_started_at = excluded.wave_started_at, acknowledged = excluded.acknowledged, updated_at = excluded.updated_at`,
      )
      .run({
        id: rollout.id,
        plan: JSON.stringify(rollout.plan),
        revision: rollout.revision,
        status: rollout.status,
        reason: rollout.reason,
        wave: rollout.wave,
        waveStartedAt: rollout.waveStartedAt,
        acknowledged: JSON.stringify(rollout.acknowledged),
        createdAt: rollout.createdAt,
        updatedAt: rollout.updatedAt,
        origin: JSON.stringify(origin ?? { by: 'operator', name: 'unknown' }),
      });
    const upsertCluster = this.db.prepare(
      `INSERT INTO rollout_clusters (rollout_id, cluster_id, wave, phase, previous_revision, directive_seq, directed_at, healthy_since, reason)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (rollout_id, cluster_id) DO UPDATE SET wave = excluded.wave, phase = excluded.phase,
         previous_revision = excluded.previous_revision, directive_seq = excluded.directive_seq,
         directed_at = excluded.directed_at, healthy_since = excluded.healthy_since, reason = excluded.reason`,
    );
    for (const id of new Set([...step.changed, ...mine.keys()])) {
      const p = rollout.clusters.get(id)!;
      upsertCluster.run(rollout.id, id, p.wave, p.phase, p.previousRevision, p.directiveSeq, p.directedAt, p.healthySince, p.reason);
    }
    const insertAudit = this.db.prepare('INSERT INTO audit (at, rollout_id, cluster_id, action, message) VALUES (?, ?, ?, ?, ?)');
    for (const entry of step.audit) insertAudit.run(entry.at, entry.rolloutId, entry.clusterId, entry.action, entry.message);
    return rollout;
  }

  get(id: string): Rollout | undefined {
    const row = this.db.prepare('SELECT * FROM rollouts WHERE id = ?').get(id) as RolloutRow | undefined;
    return row === undefined ? undefined : this.load(row);
  }

  startedFromCommit(commit: string): boolean {
    const origin: RolloutOrigin = { by: 'git', commit };
    return this.db.prepare('SELECT 1 FROM rollouts WHERE origin = ?').get(JSON.stringify(origin)) !== undefined;
  }

  active(): Rollout[] {
    const rows = this.db
      .prepare(`SELECT * FROM rollouts WHERE status IN (${ACTIVE.map(() => '?').join(', ')}) ORDER BY created_at, id`)
      .all(...ACTIVE) as RolloutRow[];
    return rows.map((row) => this.load(row));
  }

  list(options: { limit?: number; status?: RolloutStatus } = {}): RolloutSummary[] {
    const rows = this.db
      .prepare(`SELECT * FROM rollouts ${options.status ? 'WHERE status = @status' : ''} ORDER BY created_at DESC, id DESC LIMIT @limit`)
      .all({ limit: options.limit ?? 100, ...(options.status ? { status: options.status } : {}) }) as RolloutRow[];
    const counts = this.db.prepare('SELECT wave, COUNT(*) AS n FROM rollout_clusters WHERE rollout_id = ? GROUP BY wave');
    return rows.map((row) => {
      const plan = JSON.parse(row.plan) as RolloutPlan;
      const perWave = new Map((counts.all(row.id) as { wave: number; n: number }[]).map((c) => [c.wave, c.n]));
      return {
        id: row.id,
        revision: row.revision,
        status: row.status,
        reason: row.reason,
        wave: row.wave,
        waves: plan.waves.map((w, i) => ({ name: w.name, clusters: perWave.get(i) ?? 0 })),
        clusters: [...perWave.values()].reduce((a, b) => a + b, 0),
        origin: Origin.parse(JSON.parse(row.origin)),
        createdAt: row.created_at,
        updatedAt: row.updated_at,
      };
    });
  }

  audit(options: { rolloutId?: string; afterId?: number; limit?: number } = {}): (AuditEntry & { id: number })[] {
    const rows = this.db
      .prepare(
        `SELECT id, at, rollout_id AS rolloutId, cluster_id AS clusterId, action, message FROM audit
         WHERE id > @afterId ${options.rolloutId ? 'AND rollout_id = @rolloutId' : ''} ORDER BY id LIMIT @limit`,
      )
      .all({ afterId: options.afterId ?? 0, limit: options.limit ?? 1000, ...(options.rolloutId ? { rolloutId: options.rolloutId } : {}) });
    return rows as (AuditEntry & { id: number })[];
  }

  private load(row: RolloutRow): Rollout {
    const clusters = new Map<string, ClusterProgress>();
    const rows = this.db.prepare('SELECT * FROM rollout_clusters WHERE rollout_id = ? ORDER BY cluster_id').all(row.id) as ClusterRow[];
    for (const c of rows) {
      clusters.set(c.cluster_id, {
        wave: c.wave,
        phase: c.phase,
        previousRevision: c.previous_revision,
        directiveSeq: c.directive_seq,
        directedAt: c.directed_at,
        healthySince: c.healthy_since,
        reason: c.reason,
      });
    }
    return {
      id: row.id,
      plan: JSON.parse(row.plan) as RolloutPlan,
      revision: row.revision,
      status: row.status,
      reason: row.reason,
      wave: row.wave,
      waveStartedAt: row.wave_started_at,
      acknowledged: JSON.parse(row.acknowledged) as string[],
      clusters,
      createdAt: row.created_at,
      updatedAt: row.updated_at,
    };
  }
}
