import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openAgentDatabase } from '../agent/src/adapters/store/agent-database.js';
import { SqliteAgentStore } from '../agent/src/adapters/store/sqlite-agent-store.js';
import { EVENTS_DROPPED_REASON } from '../agent/src/ports/agent-store.js';
import { INITIAL_STATE } from '../agent/src/core/agent-state.js';
import type { AgentStore } from '../agent/src/ports/agent-store.js';
import type { ReportRecord } from '../shared/src/protocol/protocol.js';
import { makeTempDir } from './support/temp-dir.js';

const at = new Date('2026-11-22T10:00:00Z');
const maxEvents = 5;

type Opened = { store: AgentStore; reopen?: () => AgentStore; cleanup: () => void };

const adapters: Record<string, () => Opened> = {
  'SqliteAgentStore (file)': () => {
    const temp = makeTempDir('outbox-bounds');
    const file = join(temp.dir, 'agent.db');
    let db = openAgentDatabase(file).db;
    return {
      store: new SqliteAgentStore(db, { maxEvents }),
      reopen: () => {
        db.close();
        db = openAgentDatabase(file).db;
        return new SqliteAgentStore(db, { maxEvents });
      },
      cleanup: () => (db.close(), temp.remove()),
    };
  },
  'SqliteAgentStore (:memory:)': () => {
    const { db } = openAgentDatabase(':memory:');
    return { store: new SqliteAgentStore(db, { maxEvents }), cleanup: () => db.close() };
  },
};

const append = (store: AgentStore, n: number) => store.appendEvent({ reason: 'Applied', message: `event ${n}`, severity: 'info' }, at);

const messages = (records: ReportRecord[]) => records.flatMap((r) => (r.kind === 'event' ? [r.event.message] : []));

const notices = (store: AgentStore) =>
  store.pendingRecords(100).flatMap((r) => (r.kind === 'event' && r.event.reason === EVENTS_DROPPED_REASON ? [r] : []));

for (const [name, open] of Object.entries(adapters)) {
  describe(`outbox bounds: ${name}`, () => {
    let cleanup = () => {};
    afterEach(() => cleanup());
    const setup = () => {
      const opened = open();
      cleanup = opened.cleanup;
      return opened;
    };

    it('keeps up to maxEvents events without a notice', () => {
      const { store } = setup();
      for (let n = 1; n <= maxEvents; n++) append(store, n);
      expect(messages(store.pendingRecords(100))).toEqual(['event 1', 'event 2', 'event 3', 'event 4', 'event 5']);
      expect(notices(store)).toEqual([]);
    });

    it('drops the oldest events past the cap and counts them in one pending notice', () => {
      const { store } = setup();
      store.saveState({ ...INITIAL_STATE, appliedRevision: 'a'.repeat(40) }, at);
      for (let n = 1; n <= maxEvents + 3; n++) append(store, n);
      const pending = store.pendingRecords(100);
      expect(messages(pending)).toEqual(['event 4', 'event 5', 'event 6', 'event 7', 'event 8', '3 events dropped while the hub was unreachable']);
      expect(pending.filter((r) => r.kind === 'status')).toHaveLength(1);
      expect(notices(store)).toEqual([
        expect.objectContaining({ kind: 'event', event: { reason: EVENTS_DROPPED_REASON, message: '3 events dropped while the hub was unreachable', severity: 'warning' } }),
      ]);
      const seqs = pending.map((r) => r.seq);
      expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    });

    it('keeps counting across a reopen, and starts from zero once the notice is acknowledged', () => {
      const opened = setup();
      let store = opened.store;
      for (let n = 1; n <= maxEvents + 2; n++) append(store, n);
      if (opened.reopen) store = opened.reopen();
      for (let n = maxEvents + 3; n <= maxEvents + 4; n++) append(store, n);
      const [notice] = notices(store);
      expect(notice).toMatchObject({ event: { message: '4 events dropped while the hub was unreachable' } });
      expect(messages(store.pendingRecords(100)).filter((m) => m.startsWith('event'))).toEqual(['event 5', 'event 6', 'event 7', 'event 8', 'event 9']);

      store.acknowledge(notice!.seq);
      expect(store.pendingCount()).toBe(0);
      for (let n = 1; n <= maxEvents + 1; n++) append(store, n);
      expect(notices(store).map((r) => r.kind === 'event' && r.event.message)).toEqual(['1 events dropped while the hub was unreachable']);
      expect(notices(store)[0]!.seq).toBeGreaterThan(notice!.seq);
    });

    it('keeps the count when only records older than the notice are acknowledged', () => {
      const { store } = setup();
      for (let n = 1; n <= maxEvents + 1; n++) append(store, n);
      const [notice] = notices(store);
      store.acknowledge(notice!.seq - 1);
      for (let n = 1; n <= maxEvents + 1; n++) append(store, n);
      expect(notices(store).map((r) => r.kind === 'event' && r.event.message)).toEqual(['2 events dropped while the hub was unreachable']);
    });
  });
}

describe('SqliteAgentStore options', () => {
  it('refuses a cap that is not a positive integer', () => {
    const { db } = openAgentDatabase(':memory:');
    try {
      expect(() => new SqliteAgentStore(db, { maxEvents: 0 })).toThrow(/maxEvents/);
    } finally {
      db.close();
    }
  });
});
