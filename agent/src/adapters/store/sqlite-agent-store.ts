import type Database from 'better-sqlite3';
import { z } from 'zod';
import { ClusterStatus, Condition, Directive, EventRecord, Health } from '../../../../shared/src/protocol/protocol.js';
import type { ReportRecord } from '../../../../shared/src/protocol/protocol.js';
import { FleetError } from '../../../../shared/src/errors.js';
import { EVENTS_DROPPED_REASON } from '../../ports/agent-store.js';
import { INITIAL_STATE } from '../../core/agent-state.js';
import type { AgentStore } from '../../ports/agent-store.js';
import type { AgentState } from '../../core/agent-state.js';


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
  drifted_objects: z.number().int().nonnegative(),
});
const OutboxRow = z.object({ seq: z.number(), kind: z.enum(['status', 'event']), at: z.string(), body: z.string() });
const DropsRow = z.object({ dropped: z.number().int().positive(), notice_seq: z.number().int() });

/** About a day of events at one a minute, a few hundred kilobytes. */
export const DEFAULT_MAX_EVENTS = 1_000;

export interface SqliteAgentStoreOptions {
  /** Events kept for the hub, besides the notice counting those dropped; the oldest go first. */
  maxEvents?: number;
}

export class SqliteAgentStore implements AgentStore {
  private readonly db: Database.Database;
  private readonly maxEvents: number;

  /** The database from `openAgentDatabase`; the caller closes it. */
  constructor(db: Database.Database, options: SqliteAgentStoreOptions = {}) {
    const maxEvents = options.maxEvents ?? DEFAULT_MAX_EVENTS;
    if (!Number.isInteger(maxEvents) || maxEvents < 1) throw new RangeError(`maxEvents must be a positive integer, got ${maxEvents}`);
    this.db = db;
    this.maxEvents = maxEvents;
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
      driftedObjects: parsed.drifted_objects,
    };
  }

  saveState(state: AgentState, at: Date): number {
    return this.db.transaction(() => {
      const directive = this.acceptedDirective();
      const status = ClusterStatus.parse({
        appliedRevision: state.appliedRevision,
        desiredRevision: state.desiredRevision,
        health: state.health,
        conditions: state.conditions,
        objectCount: state.inventory.length,
        cacheBytes: state.cacheBytes,
        driftedObjects: state.driftedObjects,
        ...(directive ? { directive: { seq: directive.seq, rolloutId: directive.rolloutId, wave: directive.wave } } : {}),
      });
      this.db
        .prepare(
          `INSERT INTO state (id, applied_revision, desired_revision, health, conditions, inventory, cache_bytes, applied_at, drifted_objects, updated_at)
           VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (id) DO UPDATE SET applied_revision = excluded.applied_revision,
             desired_revision = excluded.desired_revision, health = excluded.health,
             conditions = excluded.conditions, inventory = excluded.inventory,
             cache_bytes = excluded.cache_bytes, applied_at = excluded.applied_at,
             drifted_objects = excluded.drifted_objects, updated_at = excluded.updated_at`,
        )
        .run(
          state.appliedRevision,
          state.desiredRevision,
          state.health,
          JSON.stringify(state.conditions),
          JSON.stringify(state.inventory),
          state.cacheBytes,
          state.appliedAt,
          state.driftedObjects,
          at.toISOString(),
        );
      // A status is a snapshot: the newest says all an older unacknowledged one did. The new one
      // takes a new seq, since the old may already be on its way and the hub ignores seen seqs.
      this.db.prepare("DELETE FROM outbox WHERE kind = 'status'").run();
      return this.enqueue('status', at, status);
    })();
  }

  acceptedDirective(): Directive | undefined {
    const row = this.db.prepare('SELECT body FROM directive WHERE id = 1').get() as { body: string } | undefined;
    return row === undefined ? undefined : Directive.parse(JSON.parse(row.body));
  }

  acceptDirective(directive: Directive, at: Date): number {
    const body = JSON.stringify(Directive.parse(directive));
    return this.db.transaction(() => {
      const { changes } = this.db
        .prepare(
          `INSERT INTO directive (id, seq, body, accepted_at) VALUES (1, ?, ?, ?)
           ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, body = excluded.body, accepted_at = excluded.accepted_at
           WHERE excluded.seq > directive.seq`,
        )
        .run(directive.seq, body, at.toISOString());
      if (changes === 0) throw new FleetError('conflict', `directive ${directive.seq} is not newer than the one accepted`);
      const message = `directive ${directive.seq} of rollout ${directive.rolloutId} (wave ${directive.wave}): revision ${directive.revision}`;
      return this.appendEvent({ reason: 'DirectiveAccepted', message, severity: 'info' }, at);
    })();
  }

  appendEvent(event: EventRecord['event'], at: Date): number {
    const body = EventRecord.shape.event.parse(event);
    return this.db.transaction(() => {
      const seq = this.enqueue('event', at, body);
      this.capEvents(at);
      return seq;
    })();
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
    return this.db.transaction(() => {
      // Once the hub has the notice, the drops it counted are told; the next overflow counts anew.
      this.db.prepare('DELETE FROM outbox_drops WHERE notice_seq <= ?').run(upTo);
      return this.db.prepare('DELETE FROM outbox WHERE seq <= ?').run(upTo).changes;
    })();
  }

  /**
   * Drops the oldest events beyond `maxEvents` and replaces the pending drop notice with one
   * carrying the running count. The notice takes a new seq rather than being edited in place: the
   * old one may already be on its way, and the hub ignores a seq it has seen. Called inside the
   * transaction of the insert that overflowed.
   */
  private capEvents(at: Date): void {
    const raw = this.db.prepare('SELECT dropped, notice_seq FROM outbox_drops WHERE id = 1').get();
    const drops = raw === undefined ? undefined : DropsRow.parse(raw);
    const noticeSeq = drops?.notice_seq ?? null;
    const { n: events } = this.db
      .prepare("SELECT COUNT(*) AS n FROM outbox WHERE kind = 'event' AND seq IS NOT ?")
      .get(noticeSeq) as { n: number };
    const excess = events - this.maxEvents;
    if (excess <= 0) return;
    this.db
      .prepare(
        `DELETE FROM outbox WHERE seq IN (
           SELECT seq FROM outbox WHERE kind = 'event' AND seq IS NOT ? ORDER BY seq LIMIT ?)`,
      )
      .run(noticeSeq, excess);
    const dropped = (drops?.dropped ?? 0) + excess;
    if (noticeSeq !== null) this.db.prepare('DELETE FROM outbox WHERE seq = ?').run(noticeSeq);
    const notice: EventRecord['event'] = {
      reason: EVENTS_DROPPED_REASON,
      message: `${dropped} events dropped while the hub was unreachable`,
      severity: 'warning',
    };
    const seq = this.enqueue('event', at, notice);
    this.db
      .prepare(
        `INSERT INTO outbox_drops (id, dropped, notice_seq) VALUES (1, ?, ?)
         ON CONFLICT (id) DO UPDATE SET dropped = excluded.dropped, notice_seq = excluded.notice_seq`,
      )
      .run(dropped, seq);
  }

  private enqueue(kind: ReportRecord['kind'], at: Date, body: unknown): number {
    const result = this.db
      .prepare('INSERT INTO outbox (kind, at, body) VALUES (?, ?, ?)')
      .run(kind, at.toISOString(), JSON.stringify(body));
    return Number(result.lastInsertRowid);
  }
}

