/**
 * The reconciler's loops on a manual clock: the fetch loop, the drift loop between fetches, and
 * the drift check a watched change asks for. Every port in memory; no real time passes.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryGitSource } from '../../../shared/src/git/memory-git-source.js';
import { createLogger } from '../../../shared/src/logger.js';
import { MemoryBroker } from '../../../shared/src/protocol/memory-broker.js';
import { ManualClock } from '../../../shared/src/time/clock.js';
import { MemoryKube } from '../../../simulators/src/memory-kube/index.js';
import { openAgentDatabase } from '../adapters/store/agent-database.js';
import { SqliteAgentStore } from '../adapters/store/sqlite-agent-store.js';
import { SqliteAppliedObjects } from '../adapters/store/sqlite-applied-objects.js';
import { SqliteRevisionCache } from '../adapters/store/sqlite-revision-cache.js';
import { MemoryUplink } from '../adapters/uplink/memory-uplink.js';
import type { KubeClient } from '../ports/kube.js';
import { Reconciler } from './reconciler.js';

const configMap = (value: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: web, namespace: default}\ndata: {value: "${value}"}\n`;
const ref = { apiVersion: 'v1', kind: 'ConfigMap', name: 'web', namespace: 'default' };

function setup(options: { watch?: boolean } = {}) {
  const clock = new ManualClock(Date.parse('2026-11-22T10:00:00Z'));
  const git = new MemoryGitSource();
  const kube = new MemoryKube({ clock });
  // Without watches, only the loops notice a hand edit.
  const unwatched: KubeClient = {
    apply: (object, applyOptions) => kube.apply(object, applyOptions),
    get: (objectRef) => kube.get(objectRef),
    list: (apiVersion, kind, listOptions) => kube.list(apiVersion, kind, listOptions),
    delete: (objectRef) => kube.delete(objectRef),
    scopeOf: (apiVersion, kind) => kube.scopeOf(apiVersion, kind),
  };
  const { db } = openAgentDatabase(':memory:', clock);
  const reconciler = new Reconciler({
    clusterId: 'store-1',
    git,
    branch: 'main',
    path: 'app',
    kube: options.watch === false ? unwatched : kube,
    store: new SqliteAgentStore(db),
    cache: new SqliteRevisionCache(db),
    applied: new SqliteAppliedObjects(db),
    uplink: new MemoryUplink(new MemoryBroker(), 'store-1'),
    logger: createLogger({ name: 'test', level: 'silent' }),
    clock,
    fetchBackoff: { baseMs: 0, maxMs: 0 },
  });
  git.commit('main', { 'app/web.yaml': configMap('1') });
  return { clock, git, kube, db, reconciler };
}

const liveValue = async (kube: MemoryKube) => ((await kube.get(ref))?.['data'] as Record<string, string> | undefined)?.['value'];

describe('Reconciler loops', () => {
  let current: ReturnType<typeof setup> | undefined;
  afterEach(async () => {
    await current?.reconciler.stop();
    current?.db.close();
  });

  it('reconciles at once, then an interval after each pass, and leaves no timer behind when stopped', async () => {
    current = setup();
    const { clock, git, kube, reconciler } = current;
    reconciler.start(30_000);
    await reconciler.reconcile(); // the pass the loop started
    expect(git.fetchCount).toBe(1);
    expect(await liveValue(kube)).toBe('1');
    await expect.poll(() => clock.pending()).toBe(1);

    git.commit('main', { 'app/web.yaml': configMap('2') });
    clock.advance(29_999);
    expect(git.fetchCount).toBe(1);
    clock.advance(1);
    await reconciler.reconcile();
    expect(git.fetchCount).toBe(2);
    expect(await liveValue(kube)).toBe('2');

    await reconciler.stop();
    expect(clock.pending()).toBe(0);
    clock.advance(60_000);
    expect(git.fetchCount).toBe(2);
  });

  it('checks for drift between fetches without asking Git', async () => {
    current = setup({ watch: false });
    const { clock, git, kube, reconciler } = current;
    reconciler.start(60_000, 10_000);
    await reconciler.reconcile();
    await kube.delete(ref);
    await expect.poll(() => clock.pending()).toBe(2); // the next fetch and the next drift check
    clock.advance(9_999);
    expect(await liveValue(kube)).toBeUndefined();
    clock.advance(1);
    await reconciler.reconcile();
    expect(await liveValue(kube)).toBe('1');
    expect(git.fetchCount).toBe(1);
  });

  it('checks a change the watch saw a second later, once for a burst of changes', async () => {
    current = setup();
    const { clock, kube, reconciler } = current;
    reconciler.start(3_600_000);
    await reconciler.reconcile();
    await expect.poll(() => clock.pending()).toBe(1); // the next fetch
    for (const value of ['a', 'b', 'c']) {
      await kube.patch(ref, 'merge', { data: { value } }, { fieldManager: 'kubectl-edit' });
    }
    await expect.poll(() => clock.pending()).toBe(2); // and one drift check for the three edits
    clock.advance(999);
    expect(await liveValue(kube)).toBe('c');
    clock.advance(1);
    await reconciler.reconcile();
    expect(await liveValue(kube)).toBe('1');
  });
});
