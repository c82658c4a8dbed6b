/**
 * A day without the hub, in virtual time: the agent reconciles every 30 s as usual — new commits
 * while Git is reachable, from its cache while Git is down too, reverting hand edits each time —
 * and its outbox holds what the hub has not heard. When the link returns the outbox drains, and
 * the hub's view is the agent's sequence: every event once, in order, and the last status.
 * Agent and hub are the real ones, over an in-process broker.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryUplink } from '../agent/src/adapters/uplink/memory-uplink.js';
import { MemoryFleetBus } from '../hub/src/adapters/broker/memory-fleet-bus.js';
import { SqliteFleetStore } from '../hub/src/adapters/store/sqlite-fleet-store.js';
import { ReportIngest } from '../hub/src/ingest/report-ingest.js';
import { MemoryBroker } from '../shared/src/protocol/memory-broker.js';
import { ManualClock } from '../shared/src/time/clock.js';
import { quietLogger } from './support/hub-fixture.js';
import { configMapRef, configMapYaml, memoryAgent } from './support/memory-agent.js';

const STEP_MS = 30_000;
const DAY_STEPS = (24 * 3_600_000) / STEP_MS;
const release = (n: number) => ({ 'app/a.yaml': configMapYaml('a', { release: `${n}` }), 'app/b.yaml': configMapYaml('b', { release: `${n}` }) });

describe('an agent offline for a simulated day', () => {
  const cleanups: (() => void)[] = [];
  afterEach(() => cleanups.splice(0).forEach((cleanup) => cleanup()));

  it('keeps reconciling, then replays its outbox: the hub sees its sequence without gap or duplicate', { timeout: 60_000 }, async () => {
    const clock = new ManualClock(Date.parse('2026-11-22T00:00:00.000Z'));
    const broker = new MemoryBroker();
    const hubStore = new SqliteFleetStore(':memory:');
    const bus = new MemoryFleetBus(broker);
    const ingest = new ReportIngest(hubStore, bus, quietLogger());
    bus.onMessage('report', ingest.handle);
    hubStore.registerCluster('store-1', {}, 'unused', new Date(clock.now()));
    const uplink = new MemoryUplink(broker, 'store-1');
    const agent = memoryAgent({ uplink, clock });
    cleanups.push(() => agent.db.close(), () => hubStore.close());
    agent.db.exec(`CREATE TABLE test_journal (seq INTEGER PRIMARY KEY, kind TEXT NOT NULL, body TEXT NOT NULL);
      CREATE TRIGGER test_journal_outbox AFTER INSERT ON outbox
      BEGIN INSERT INTO test_journal (seq, kind, body) VALUES (NEW.seq, NEW.kind, NEW.body); END;`);

    let releases = 1;
    const heads = new Map<number, string>();
    const commit = (n: number) => heads.set(n, agent.git.commit('main', release(n)));
    const releaseOf = (sha: string | null) => [...heads].find(([, head]) => head === sha)?.[0];
    commit(releases);
    await agent.reconciler.reconcile();
    await expect.poll(() => agent.store.pendingCount()).toBe(0);

    uplink.setOnline(false);
    let largestOutbox = 0;
    for (let step = 1; step <= DAY_STEPS; step++) {
      clock.advance(STEP_MS);
      const hour = step / 120;
      const gitUp = hour < 6 || hour >= 12; // Git is down too for six hours
      agent.git.setReachable(gitUp);
      if (step % 120 === 0) commit(++releases);
      if (step % 20 === 10) {
        // A hand edit every 10 minutes, never in the pass that applies a new release.
        await agent.kube.patch(configMapRef(step % 40 === 10 ? 'a' : 'b'), 'merge', { data: { release: 'by-hand' } }, { fieldManager: 'kubectl-edit' });
      }
      await agent.reconciler.reconcile();
      largestOutbox = Math.max(largestOutbox, agent.store.pendingCount());
      // Reconciling all along: hand edits reverted at once; commits applied while Git answers,
      // the last one fetched while it does not.
      const { appliedRevision } = agent.store.readState();
      if (gitUp) expect(appliedRevision).toBe(heads.get(releases));
      for (const name of ['a', 'b']) expect((await agent.kube.get(configMapRef(name)))?.['data']).toEqual({ release: `${releaseOf(appliedRevision)}` });
    }
    expect(hubStore.getCluster('store-1')?.lastSeq).toBeLessThan(journal().at(-1)!.seq);

    uplink.setOnline(true);
    await expect.poll(() => agent.store.pendingCount(), { timeout: 10_000 }).toBe(0);

    const records = journal();
    const events = records.filter((r) => r.kind === 'event');
    const statuses = records.filter((r) => r.kind === 'status');
    expect(events.map((e) => JSON.parse(e.body).reason)).toEqual(Array(DAY_STEPS / 20).fill('DriftRemediated'));
    // One status and the day's events at most, not a status per pass.
    expect(largestOutbox).toBeLessThanOrEqual(events.length + 1);
    const cluster = hubStore.getCluster('store-1')!;
    expect(cluster.lastSeq).toBe(records.at(-1)!.seq);
    expect(cluster.status).toEqual(JSON.parse(statuses.at(-1)!.body));
    expect(cluster.status?.appliedRevision).toBe(agent.store.readState().appliedRevision);
    expect(hubStore.listEvents('store-1').map(({ at: _at, ...event }) => event)).toEqual(events.map((e) => ({ seq: e.seq, ...JSON.parse(e.body) })));

    function journal() {
      return agent.db.prepare('SELECT seq, kind, body FROM test_journal ORDER BY seq').all() as { seq: number; kind: string; body: string }[];
    }
  });
});
