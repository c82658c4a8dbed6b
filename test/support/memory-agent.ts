import { openAgentDatabase } from '../../agent/src/adapters/store/agent-database.js';
import { MemoryGitSource } from '../../shared/src/git/memory-git-source.js';
import { MemoryKube } from '../../simulators/src/memory-kube/index.js';
import { MemoryUplink } from '../../agent/src/adapters/uplink/memory-uplink.js';
import { SqliteAgentStore } from '../../agent/src/adapters/store/sqlite-agent-store.js';
import { SqliteAppliedObjects } from '../../agent/src/adapters/store/sqlite-applied-objects.js';
import { SqliteRevisionCache } from '../../agent/src/adapters/store/sqlite-revision-cache.js';
import { Reconciler } from '../../agent/src/reconcile/reconciler.js';
import type { ReconcilerDeps } from '../../agent/src/reconcile/reconciler.js';
import { MemoryBroker } from '../../shared/src/protocol/memory-broker.js';
import { ManualClock } from '../../shared/src/time/clock.js';
import { quietLogger } from './hub-fixture.js';

/** An agent with every port in memory, for reconciler behaviour tests. Close `db` after. */
export function memoryAgent(options: Partial<ReconcilerDeps> = {}) {
  const git = new MemoryGitSource();
  const kube = new MemoryKube();
  const { db } = openAgentDatabase(':memory:', new ManualClock(0));
  const store = new SqliteAgentStore(db);
  const reconciler = new Reconciler({
    clusterId: 'store-1',
    git,
    branch: 'main',
    path: 'app',
    kube,
    store,
    cache: new SqliteRevisionCache(db),
    applied: new SqliteAppliedObjects(db),
    uplink: new MemoryUplink(new MemoryBroker(), 'store-1'),
    logger: quietLogger(),
    fetchBackoff: { baseMs: 0, maxMs: 0 },
    ...options,
  });
  return { git, kube, store, db, reconciler };
}

export const configMapYaml = (name: string, data: Record<string, string> = {}, extra = '') =>
  `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n  namespace: default\n${extra}data: ${JSON.stringify(data)}\n`;

export const configMapRef = (name: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', name, namespace: 'default' });
