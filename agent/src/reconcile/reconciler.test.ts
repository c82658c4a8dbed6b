/**
 * The reconciler with every port in memory: Git, cluster, store and hub link. Fast, and the
 * same reconciler the binaries run.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryBroker } from '../../../shared/src/protocol/memory-broker.js';
import { createLogger } from '../../../shared/src/logger.js';
import { topics } from '../../../shared/src/protocol/topics.js';
import { MemoryGitSource } from '../../../shared/src/git/memory-git-source.js';
import { MemoryKube } from '../../../simulators/src/memory-kube/index.js';
import { MemoryUplink } from '../adapters/uplink/memory-uplink.js';
import { openAgentDatabase } from '../adapters/store/agent-database.js';
import { SqliteAgentStore } from '../adapters/store/sqlite-agent-store.js';
import { SqliteAppliedObjects } from '../adapters/store/sqlite-applied-objects.js';
import { SqliteRevisionCache } from '../adapters/store/sqlite-revision-cache.js';
import { ManualClock } from '../../../shared/src/time/clock.js';
import { OWNER_LABEL } from '../core/apply/plan-apply.js';
import { Reconciler } from './reconciler.js';

const logger = createLogger({ name: 'test', level: 'silent' });
const deployment = (image: string) => `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  replicas: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: web, image: "${image}"}]}
`;
const namespace = 'apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n';
const deployRef = { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', namespace: 'shop' };

function setup(options: { clock?: ManualClock; fetchBackoff?: { baseMs: number; maxMs: number } } = {}) {
  const git = new MemoryGitSource();
  const kube = new MemoryKube();
  const { db } = openAgentDatabase(':memory:', new ManualClock(0));
  const store = new SqliteAgentStore(db);
  const cache = new SqliteRevisionCache(db);
  const applied = new SqliteAppliedObjects(db);
  const broker = new MemoryBroker();
  const uplink = new MemoryUplink(broker, 'store-1');
  // No backoff between fetches: each pass asks the source, as the tests expect.
  const fetchBackoff = options.fetchBackoff ?? { baseMs: 0, maxMs: 0 };
  const reconciler = new Reconciler({
    clusterId: 'store-1', git, branch: 'main', path: 'app', kube, store, cache, applied, uplink, logger, fetchBackoff,
    ...(options.clock ? { clock: options.clock } : {}),
  });
  return { git, kube, store, cache, db, broker, uplink, reconciler };
}

describe('Reconciler', () => {
  let current: ReturnType<typeof setup> | undefined;
  afterEach(async () => {
    await current?.reconciler.stop();
    current?.db.close();
  });

  it('applies the branch head, labels what it owns and records the revision', async () => {
    current = setup();
    const { git, kube, reconciler } = current;
    // Files sort deployment-first; the Namespace must still be applied first.
    const sha = git.commit('main', { 'app/a-deploy.yaml': deployment('web:1'), 'app/ns.yaml': namespace, 'other/x.yaml': 'ignored: true' });
    const state = await reconciler.reconcile();
    expect(state).toMatchObject({ appliedRevision: sha, desiredRevision: sha, inventory: [{ kind: 'Namespace' }, deployRef] });
    // No controller has reported on the Deployment yet: applied, but not yet healthy.
    expect(state.health).toBe('Progressing');
    expect(state.conditions.find((c) => c.type === 'Ready')).toMatchObject({ status: 'Unknown', reason: 'Progressing' });
    await kube.updateStatus(deployRef, { observedGeneration: 1, replicas: 1, updatedReplicas: 1, readyReplicas: 1, availableReplicas: 1 });
    const healthy = await reconciler.reconcile();
    expect(healthy.health).toBe('Healthy');
    expect(healthy.conditions.find((c) => c.type === 'Ready')).toMatchObject({ status: 'True', reason: 'ReconciliationSucceeded' });
    const live = await kube.get(deployRef);
    expect(live?.metadata.labels?.[OWNER_LABEL]).toBe('edge-agent');
    expect(live?.metadata.managedFields?.map((m) => m.manager)).toEqual(['edge-agent']);
  });

  it('moves to a new commit', async () => {
    current = setup();
    const { git, kube, reconciler } = current;
    git.commit('main', { 'app/ns.yaml': namespace, 'app/d.yaml': deployment('web:1') });
    await reconciler.reconcile();
    const second = git.commit('main', { 'app/ns.yaml': namespace, 'app/d.yaml': deployment('web:2') });
    expect((await reconciler.reconcile()).appliedRevision).toBe(second);
    expect(JSON.stringify(await kube.get(deployRef))).toContain('web:2');
  });

  it('keeps the last good revision applied when a new one does not render, and says why', async () => {
    current = setup();
    const { git, kube, reconciler } = current;
    const good = git.commit('main', { 'app/ns.yaml': namespace, 'app/d.yaml': deployment('web:1') });
    await reconciler.reconcile();
    const bad = git.commit('main', { 'app/ns.yaml': namespace, 'app/d.yaml': 'kind: [broken' });
    const state = await reconciler.reconcile();
    expect(state).toMatchObject({ appliedRevision: good, desiredRevision: bad });
    expect(state.conditions).toContainEqual(expect.objectContaining({ type: 'Ready', status: 'False', reason: 'RenderFailed' }));
    expect(state.conditions.find((c) => c.type === 'Ready')?.message).toMatch(/d\.yaml/);
    expect(JSON.stringify(await kube.get(deployRef))).toContain('web:1');
  });

  it('reports an object the cluster refuses, and does not claim the revision applied', async () => {
    current = setup();
    const { git, reconciler } = current;
    // No Namespace: the API server refuses the Deployment.
    git.commit('main', { 'app/d.yaml': deployment('web:1') });
    const state = await reconciler.reconcile();
    expect(state.appliedRevision).toBeNull();
    expect(state.conditions.find((c) => c.type === 'Ready')).toMatchObject({ status: 'False', reason: 'ApplyFailed' });
  });

  it('keeps reconciling the cached revision while Git is unreachable', async () => {
    current = setup();
    const { git, kube, reconciler } = current;
    const sha = git.commit('main', { 'app/ns.yaml': namespace, 'app/d.yaml': deployment('web:1') });
    await reconciler.reconcile();
    await kube.delete(deployRef);
    git.setReachable(false);
    expect((await reconciler.reconcile()).appliedRevision).toBe(sha);
    expect(await kube.get(deployRef)).toBeDefined();
  });

  it('backs off between failed fetches while reconciling from the cache', async () => {
    const clock = new ManualClock(Date.parse('2026-11-22T10:00:00Z'));
    current = setup({ clock, fetchBackoff: { baseMs: 60_000, maxMs: 60_000 } });
    const { git, reconciler } = current;
    const sha = git.commit('main', { 'app/ns.yaml': namespace });
    await reconciler.reconcile();
    git.setReachable(false);
    const fetchesBefore = git.fetchCount;
    await reconciler.reconcile(); // fails, and schedules the next attempt up to a minute later
    const afterFailure = git.fetchCount;
    expect(afterFailure).toBe(fetchesBefore + 1);
    for (let i = 0; i < 3; i++) expect((await reconciler.reconcile()).appliedRevision).toBe(sha);
    expect(git.fetchCount).toBe(afterFailure);
    git.setReachable(true);
    clock.advance(60_001);
    await reconciler.reconcile();
    expect(git.fetchCount).toBe(afterFailure + 1);
  });

  it('says the source is unavailable when it has never reached Git', async () => {
    current = setup();
    current.git.setReachable(false);
    const state = await current.reconciler.reconcile();
    expect(state.conditions.find((c) => c.type === 'Ready')).toMatchObject({ status: 'False', reason: 'SourceUnavailable' });
  });

  it('reports each state change once, and forgets records only when the hub acknowledges them', async () => {
    current = setup();
    const { git, store, broker, reconciler } = current;
    const reports: number[][] = [];
    broker.subscribe(topics.report('store-1'), (_t, payload) => reports.push(JSON.parse(payload.toString()).records.map((r: { seq: number }) => r.seq)));
    git.commit('main', { 'app/ns.yaml': namespace });
    await reconciler.reconcile();
    await reconciler.reconcile(); // nothing changed: no new record
    await expect.poll(() => reports.flat()).toHaveLength(1);
    const [seq] = reports.flat();
    expect(store.pendingRecords(10).map((r) => r.seq)).toEqual([seq]);
    broker.publish(topics.ack('store-1'), JSON.stringify({ v: 1, upTo: seq }));
    await expect.poll(() => store.pendingRecords(10)).toEqual([]);
  });

  it('holds records while offline and replays them on reconnect', async () => {
    current = setup();
    const { git, broker, uplink, reconciler, store } = current;
    const seen: number[] = [];
    broker.subscribe(topics.report('store-1'), (_t, payload) => seen.push(...JSON.parse(payload.toString()).records.map((r: { seq: number }) => r.seq)));
    uplink.setOnline(false);
    git.commit('main', { 'app/ns.yaml': namespace });
    await reconciler.reconcile();
    git.commit('main', { 'app/ns.yaml': namespace, 'app/d.yaml': deployment('web:1') });
    await reconciler.reconcile();
    expect(seen).toEqual([]);
    // The second status superseded the first while offline: one snapshot is replayed, the newest.
    const pending = store.pendingRecords(10);
    expect(pending).toHaveLength(1);
    uplink.setOnline(true);
    await expect.poll(() => seen).toEqual([pending[0]!.seq]);
    expect(store.readState().inventory).toHaveLength(2);
  });
});
