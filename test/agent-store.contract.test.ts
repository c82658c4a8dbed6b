import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openAgentDatabase } from '../agent/src/adapters/store/agent-database.js';
import { SqliteAgentStore } from '../agent/src/adapters/store/sqlite-agent-store.js';
import { INITIAL_STATE } from '../agent/src/core/agent-state.js';
import type { AgentStore } from '../agent/src/ports/agent-store.js';
import type { AgentState } from '../agent/src/core/agent-state.js';
import type { Directive } from '../shared/src/protocol/protocol.js';
import { makeTempDir } from './support/temp-dir.js';

const at = new Date('2026-11-22T10:00:00Z');
const state: AgentState = {
  appliedRevision: 'a'.repeat(40),
  desiredRevision: 'a'.repeat(40),
  health: 'Unknown',
  conditions: [{ type: 'Ready', status: 'True', reason: 'Applied', message: '2 objects', lastTransitionTime: at.toISOString() }],
  inventory: [
    { apiVersion: 'v1', kind: 'Namespace', name: 'web' },
    { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', namespace: 'web' },
  ],
  cacheBytes: 1234,
  appliedAt: '2026-11-22T09:59:00.000Z',
  driftedObjects: 1,
};

const directive = (seq: number): Directive => ({
  v: 1,
  clusterId: 'store-1',
  seq,
  rolloutId: 'r-1',
  wave: 'canary',
  revision: 'b'.repeat(40),
  repo: 'https://git.example/fleet.git',
  path: '',
  issuedAt: at.toISOString(),
  expiresAt: at.toISOString(),
  keyId: '0123456789abcdef',
  sig: Buffer.alloc(64).toString('base64'),
});

const adapters: Record<string, () => { store: AgentStore; cleanup: () => void }> = {
  'SqliteAgentStore (file)': () => {
    const temp = makeTempDir('agent-store');
    const { db } = openAgentDatabase(join(temp.dir, 'agent.db'));
    return { store: new SqliteAgentStore(db), cleanup: () => (db.close(), temp.remove()) };
  },
  'SqliteAgentStore (:memory:)': () => {
    const { db } = openAgentDatabase(':memory:');
    return { store: new SqliteAgentStore(db), cleanup: () => db.close() };
  },
};

for (const [name, open] of Object.entries(adapters)) {
  describe(`AgentStore contract: ${name}`, () => {
    let cleanup = () => {};
    afterEach(() => cleanup());
    const setup = () => {
      const opened = open();
      cleanup = opened.cleanup;
      return opened.store;
    };

    it('starts empty', () => {
      const store = setup();
      expect(store.readState()).toEqual(INITIAL_STATE);
      expect(store.pendingRecords(10)).toEqual([]);
    });

    it('saves a state together with the status record announcing it', () => {
      const store = setup();
      const seq = store.saveState(state, at);
      expect(store.readState()).toEqual(state);
      expect(store.pendingRecords(10)).toEqual([
        {
          seq,
          kind: 'status',
          at: at.toISOString(),
          status: { appliedRevision: state.appliedRevision, desiredRevision: state.desiredRevision, health: 'Unknown', conditions: state.conditions, objectCount: 2, cacheBytes: 1234, driftedObjects: 1 },
        },
      ]);
    });

    it('numbers records in order and never reuses a seq after an acknowledgement', () => {
      const store = setup();
      const first = store.saveState(state, at);
      const second = store.appendEvent({ reason: 'Applied', message: 'ok', severity: 'info' }, at);
      expect(second).toBeGreaterThan(first);
      expect(store.acknowledge(second)).toBe(2);
      expect(store.pendingRecords(10)).toEqual([]);
      expect(store.saveState(state, at)).toBeGreaterThan(second);
    });

    it('acknowledges cumulatively and pages pending records oldest first', () => {
      const store = setup();
      const seqs = [1, 2, 3, 4].map((n) => store.appendEvent({ reason: 'Applied', message: `${n}`, severity: 'info' }, at));
      expect(store.pendingRecords(2).map((r) => r.seq)).toEqual(seqs.slice(0, 2));
      expect(store.pendingRecords(10, seqs[2]).map((r) => r.seq)).toEqual(seqs.slice(3));
      expect(store.pendingCount()).toBe(4);
      expect(store.acknowledge(seqs[1]!)).toBe(2);
      expect(store.acknowledge(seqs[1]!)).toBe(0);
      expect(store.pendingCount()).toBe(2);
      expect(store.pendingRecords(10).map((r) => r.seq)).toEqual(seqs.slice(2));
    });

    it('keeps one status in the outbox: a newer one supersedes an unacknowledged one, events stay', () => {
      const store = setup();
      const first = store.saveState(state, at);
      const event = store.appendEvent({ reason: 'Applied', message: 'ok', severity: 'info' }, at);
      const second = store.saveState({ ...state, health: 'Healthy' }, at);
      expect(second).toBeGreaterThan(event);
      const pending = store.pendingRecords(10);
      expect(pending.map((r) => [r.seq, r.kind])).toEqual([[event, 'event'], [second, 'status']]);
      expect(pending[1]).toMatchObject({ status: { health: 'Healthy' } });
      expect(pending.some((r) => r.seq === first)).toBe(false);
    });

    it('keeps the accepted directive, announces it, and never lets its seq go back', () => {
      const store = setup();
      expect(store.acceptedDirective()).toBeUndefined();
      const seq = store.acceptDirective(directive(5), at);
      expect(store.acceptedDirective()).toEqual(directive(5));
      expect(store.pendingRecords(10)).toEqual([
        { seq, kind: 'event', at: at.toISOString(), event: { reason: 'DirectiveAccepted', message: expect.stringContaining('directive 5'), severity: 'info' } },
      ]);
      expect(() => store.acceptDirective(directive(5), at)).toThrow(/not newer/);
      expect(() => store.acceptDirective(directive(4), at)).toThrow(/not newer/);
      expect(store.acceptedDirective()?.seq).toBe(5);
      expect(store.pendingCount()).toBe(1);
      store.saveState(state, at);
      expect(store.pendingRecords(10)[1]).toMatchObject({ status: { directive: { seq: 5, rolloutId: 'r-1', wave: 'canary' } } });
    });

    it('refuses a state the protocol could not carry', () => {
      const store = setup();
      expect(() => store.saveState({ ...state, appliedRevision: 'not-a-sha' }, at)).toThrow();
      expect(store.readState()).toEqual(INITIAL_STATE);
      expect(store.pendingRecords(10)).toEqual([]);
    });
  });
}

describe('SqliteAgentStore on disk', () => {
  it('keeps state, outbox and seq across a reopen', () => {
    const temp = makeTempDir('agent-store-reopen');
    try {
      const file = join(temp.dir, 'agent.db');
      const firstDb = openAgentDatabase(file).db;
      const seq = new SqliteAgentStore(firstDb).saveState(state, at);
      firstDb.close();
      const secondDb = openAgentDatabase(file).db;
      const second = new SqliteAgentStore(secondDb);
      expect(second.readState()).toEqual(state);
      expect(second.pendingRecords(10).map((r) => r.seq)).toEqual([seq]);
      second.acknowledge(seq);
      expect(second.saveState(state, at)).toBe(seq + 1);
      secondDb.close();
    } finally {
      temp.remove();
    }
  });
});
