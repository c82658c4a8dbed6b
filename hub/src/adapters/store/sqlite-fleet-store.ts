import type Database from 'better-sqlite3';
import { z } from 'zod';
import { ClusterStatus, Directive } from '../../../../shared/src/protocol/protocol.js';
import { FleetError } from '../../../../shared/src/errors.js';
import { writeWith } from '../../../../shared/src/sqlite.js';
import { openHubDatabase } from './hub-database.js';
import type { DirectiveBuilder, EventView, FleetStore, ReportBatch } from '../../ports/fleet-store.js';
import type { ClusterView } from '../../core/cluster-view.js';

const ClusterRow = z.object({
  id: z.string(),
  labels: z.string().transform((text) => z.record(z.string(), z.string()).parse(JSON.parse(text))),
  last_seq: z.number().nullable(),
  presence: z.enum(['online', 'offline', 'unknown']).nullable(),
  presence_at: z.string().nullable(),
  agent_version: z.string().nullable(),
  status: z
    .string()
    .nullable()
    .transform((text) => (text === null ? null : ClusterStatus.parse(JSON.parse(text)))),
  status_at: z.string().nullable(),
});

const EventRow = z.object({
  seq: z.number(),
  at: z.string(),
  reason: z.string(),
  message: z.string(),
  severity: z.enum(['info', 'warning', 'error']),
});

const SELECT_CLUSTERS = `SELECT c.id, c.labels, s.last_seq, s.presence, s.presence_at, s.agent_version, s.status, s.status_at
  FROM clusters c LEFT JOIN cluster_state s ON s.cluster_id = c.id`;

export class SqliteFleetStore implements FleetStore {
  private readonly db: Database.Database;
  private readonly statements: ReturnType<typeof prepareStatements>;

  /** Over the hub database (`openHubDatabase`), or a file it opens; `close` closes it. */
  constructor(database: Database.Database | string) {
    this.db = typeof database === 'string' ? openHubDatabase(database) : database;
    this.statements = prepareStatements(this.db);
  }

  registerCluster(id: string, labels: Record<string, string>, tokenHash: string, at: Date): void {
    const insert = this.db.transaction(() => {
      this.db
        .prepare('INSERT INTO clusters (id, labels, token_hash, created_at) VALUES (?, ?, ?, ?)')
        .run(id, JSON.stringify(labels), tokenHash, at.toISOString());
      this.db.prepare('INSERT INTO cluster_state (cluster_id) VALUES (?)').run(id);
    });
    try {
      insert();
    } catch (cause) {
      if ((cause as { code?: string }).code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
        throw new FleetError('conflict', `cluster ${id} is already registered`, { cause });
      }
      throw cause;
    }
  }

  tokenHashOf(id: string): string | undefined {
    const row = this.db.prepare('SELECT token_hash FROM clusters WHERE id = ?').get(id) as
      | { token_hash: string }
      | undefined;
    return row?.token_hash;
  }

  commitReports(batches: readonly ReportBatch[]): Map<string, number> {
    const { lastSeq, insertEvent, setStatus, setSeq } = this.statements;
    return this.db.transaction(() => {
      const acked = new Map<string, number>();
      for (const { clusterId, records } of batches) {
        const row = lastSeq.get(clusterId) as { last_seq: number } | undefined;
        if (row === undefined) continue;
        let seq = acked.get(clusterId) ?? row.last_seq;
        for (const record of records) {
          if (record.seq <= seq) continue;
          if (record.kind === 'status') setStatus.run(JSON.stringify(record.status), record.at, clusterId);
          else insertEvent.run(clusterId, record.seq, record.at, record.event.reason, record.event.message, record.event.severity);
          seq = record.seq;
        }
        setSeq.run(seq, clusterId);
        acked.set(clusterId, seq);
      }
      return acked;
    })();
  }

  setPresence(id: string, presence: 'online' | 'offline', agentVersion: string, at: Date): void {
    // NORMAL: presence is re-announced on the next connection; no fsync per update (docs/decisions.md).
    writeWith(this.db, 'NORMAL', () => this.statements.setPresence.run(presence, at.toISOString(), agentVersion, id));
  }

  listClusters(): ClusterView[] {
    return this.db.prepare(`${SELECT_CLUSTERS} ORDER BY c.id`).all().map(toView);
  }

  listEvents(clusterId: string, options: { afterSeq?: number; limit?: number } = {}): EventView[] {
    const rows = this.db
      .prepare('SELECT seq, at, reason, message, severity FROM events WHERE cluster_id = ? AND seq > ? ORDER BY seq LIMIT ?')
      .all(clusterId, options.afterSeq ?? 0, options.limit ?? 1000);
    return rows.map((row) => EventRow.parse(row));
  }

  recentEvents(clusterId: string, limit: number): EventView[] {
    const rows = this.db
      .prepare('SELECT seq, at, reason, message, severity FROM events WHERE cluster_id = ? ORDER BY seq DESC LIMIT ?')
      .all(clusterId, limit);
    return rows.map((row) => EventRow.parse(row)).reverse();
  }

  setLabels(id: string, labels: Record<string, string>): void {
    const { changes } = this.db.prepare('UPDATE clusters SET labels = ? WHERE id = ?').run(JSON.stringify(labels), id);
    if (changes === 0) throw new FleetError('not-found', `cluster ${id} is not registered`);
  }

  getCluster(id: string): ClusterView | undefined {
    const row = this.db.prepare(`${SELECT_CLUSTERS} WHERE c.id = ?`).get(id);
    return row === undefined ? undefined : toView(row);
  }

  recordDirectives(clusterIds: readonly string[], build: DirectiveBuilder, at: Date): Directive[] {
    const last = this.db.prepare('SELECT seq FROM directives WHERE cluster_id = ?');
    const save = this.db.prepare(
      `INSERT INTO directives (cluster_id, seq, body, issued_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (cluster_id) DO UPDATE SET seq = excluded.seq, body = excluded.body, issued_at = excluded.issued_at`,
    );
    return this.db.transaction(() =>
      clusterIds.map((clusterId) => {
        if (this.tokenHashOf(clusterId) === undefined) throw new FleetError('not-found', `cluster ${clusterId} is not registered`);
        const row = last.get(clusterId) as { seq: number } | undefined;
        const directive = build(clusterId, row ? row.seq + 1 : Math.max(1, at.getTime()));
        save.run(clusterId, directive.seq, JSON.stringify(directive), at.toISOString());
        return directive;
      }),
    )();
  }

  latestDirectives(): Directive[] {
    const rows = this.db.prepare('SELECT body FROM directives ORDER BY cluster_id').all() as { body: string }[];
    return rows.map((row) => Directive.parse(JSON.parse(row.body)));
  }

  close(): void {
    this.db.close();
  }
}

/** The statements of the hot paths (ingest and presence), prepared once. */
function prepareStatements(db: Database.Database) {
  return {
    lastSeq: db.prepare('SELECT last_seq FROM cluster_state WHERE cluster_id = ?'),
    insertEvent: db.prepare('INSERT OR IGNORE INTO events (cluster_id, seq, at, reason, message, severity) VALUES (?, ?, ?, ?, ?, ?)'),
    setStatus: db.prepare('UPDATE cluster_state SET status = ?, status_at = ? WHERE cluster_id = ?'),
    setSeq: db.prepare('UPDATE cluster_state SET last_seq = ? WHERE cluster_id = ?'),
    setPresence: db.prepare('UPDATE cluster_state SET presence = ?, presence_at = ?, agent_version = ? WHERE cluster_id = ?'),
  };
}

function toView(raw: unknown): ClusterView {
  const row = ClusterRow.parse(raw);
  return {
    id: row.id,
    labels: row.labels,
    presence: row.presence ?? 'unknown',
    presenceAt: row.presence_at,
    agentVersion: row.agent_version,
    lastSeq: row.last_seq ?? 0,
    status: row.status,
    statusAt: row.status_at,
  };
}

