import type Database from 'better-sqlite3';
import { z } from 'zod';
import { ClusterStatus, Condition, EventRecord, Health } from '../../../shared/src/protocol.js';
import type { ReportRecord } from '../../../shared/src/protocol.js';
import { INITIAL_STATE } from '../ports/agent-store.js';
import type { AgentState, AgentStore } from '../ports/agent-store.js';


const ObjectRefRow = z.strictObject({
  apiVersion: z.string(),
  kind: z.string(),
  name: z.string(),
  namespace: z.string().optional(),
});
const StateRow = z.object({
  applied_revision: z.string().nullable(),
  desired_revision: z.string().nullable(),
  health: Health,
  conditions: z.string().transform((text) => z.array(Condition).parse(JSON.parse(text))),
  inventory: z.string().transform((text) => z.array(ObjectRefRow).parse(JSON.parse(text))),
  cache_bytes: z.number().int().nonnegative(),
  applied_at: z.string().nullable(),
});
const OutboxRow = z.object({ seq: z.number(), kind: z.enum(['status', 'event']), at: z.string(), body: z.string() });

export class SqliteAgentStore implements AgentStore {
  private readonly db: Database.Database;

  /** The database from `openAgentDatabase`; the caller closes it. */
  constructor(db: Database.Database) {
    this.db = db;
  }

  readState(): AgentState {
    const row = this.db.prepare('SELECT * FROM state WHERE id = 1').get();
    if (row === undefined) return structuredClone(INITIAL_STATE);
    const parsed = StateRow.parse(row);
    return {
      appliedRevision: parsed.applied_revision,
      desiredRevision: parsed.desired_revision,
      health: parsed.health,
      conditions: parsed.conditions,
      inventory: parsed.inventory,
      cacheBytes: parsed.cache_bytes,
      appliedAt: parsed.applied_at,
    };
  }

  saveState(state: AgentState, at: Date): number {
    const status = ClusterStatus.parse({
      appliedRevision: state.appliedRevision,
      desiredRevision: state.desiredRevision,
      health: state.health,
      conditions: state.conditions,
      objectCount: state.inventory.length,
      cacheBytes: state.cacheBytes,
    });
    return this.db.transaction(() => {
      this.db
        .prepare(
          `INSERT INTO state (id, applied_revision, desired_revision, health, conditions, inventory, cache_bytes, applied_at, updated_at)
           VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (id) DO UPDATE SET applied_revision = excluded.applied_revision,
             desired_revision = excluded.desired_revision, health = excluded.health,
             conditions = excluded.conditions, inventory = excluded.inventory,
             cache_bytes = excluded.cache_bytes, applied_at = excluded.applied_at, updated_at = excluded.updated_at`,
        )
        .run(
          state.appliedRevision,
          state.desiredRevision,
          state.health,
          JSON.stringify(state.conditions),
          JSON.stringify(state.inventory),
          state.cacheBytes,
          state.appliedAt,
          at.toISOString(),
        );
      return this.enqueue('status', at, status);
    })();
  }

  appendEvent(event: EventRecord['event'], at: Date): number {
    return this.enqueue('event', at, EventRecord.shape.event.parse(event));
  }

  pendingRecords(limit: number, afterSeq = 0): ReportRecord[] {
    const rows = this.db.prepare('SELECT seq, kind, at, body FROM outbox WHERE seq > ? ORDER BY seq LIMIT ?').all(afterSeq, limit);
    return rows.map((raw) => {
      const row = OutboxRow.parse(raw);
      const body: unknown = JSON.parse(row.body);
      return row.kind === 'status'
        ? { seq: row.seq, kind: 'status', at: row.at, status: ClusterStatus.parse(body) }
        : { seq: row.seq, kind: 'event', at: row.at, event: EventRecord.shape.event.parse(body) };
    });
  }

  pendingCount(): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM outbox').get() as { n: number }).n;
  }

  acknowledge(upTo: number): number {
    return this.db.prepare('DELETE FROM outbox WHERE seq <= ?').run(upTo).changes;
  }

  private enqueue(kind: ReportRecord['kind'], at: Date, body: unknown): number {
    const result = this.db
      .prepare('INSERT INTO outbox (kind, at, body) VALUES (?, ?, ?)')
      .run(kind, at.toISOString(), JSON.stringify(body));
    return Number(result.lastInsertRowid);
  }
}

