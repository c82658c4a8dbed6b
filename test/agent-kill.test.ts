/**
 * An agent process killed with SIGKILL in the middle of a fetch or of the cache commit, again and
 * again, then restarted: its SQLite file stays sound and consistent, and it carries on to the
 * branch head. The agent runs as a real child process against git over HTTP and the simulated API.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openAgentDatabase } from '../agent/src/adapters/store/agent-database.js';
import { SqliteAgentStore } from '../agent/src/adapters/store/sqlite-agent-store.js';
import { SqliteRevisionCache } from '../agent/src/adapters/store/sqlite-revision-cache.js';
import { commitFiles, createBareRepo } from '../simulators/src/git-server/fixtures.js';
import { startGitServer } from '../simulators/src/git-server/git-server.js';
import type { GitServer } from '../simulators/src/git-server/git-server.js';
import { startKubeApiServer } from '../simulators/src/kube-api/server.js';
import type { KubeApiServer } from '../simulators/src/kube-api/server.js';
import { builtBinary } from './support/built-binary.js';
import { spawnLogged } from './support/logged-process.js';
import { makeTempDir } from './support/temp-dir.js';

const FILES = 1500;
const KILLS = 8;

/** A revision big enough that fetching and caching it take a while: many files, some changed each time. */
function release(n: number): Record<string, string> {
  const files: Record<string, string> = {
    'apps/shop/ns.yaml': 'apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n',
    'apps/shop/config.yaml': `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: app, namespace: shop}\ndata: {release: "${n}"}\n`,
  };
  for (let i = 0; i < FILES; i++) files[`docs/page-${i}.md`] = `# page ${i}\n${`release ${i % 10 === 0 ? n : 0} `.repeat(200)}\n`;
  return files;
}

describe('agent killed with SIGKILL mid-fetch and mid-commit', () => {
  const temp = makeTempDir('agent-kill');
  const dataDir = join(temp.dir, 'agent');
  let git: GitServer;
  let kube: KubeApiServer;
  let bare: string;
  let configFile: string;
  let agentMain: string;

  const runAgent = () => spawnLogged(agentMain, ['run', '--config', configFile]);

  const readDatabase = () => {
    const { db, movedAside } = openAgentDatabase(join(dataDir, 'agent.db'));
    try {
      const cache = new SqliteRevisionCache(db);
      const state = new SqliteAgentStore(db).readState();
      const fetched = cache.ref('fetched');
      const broken = db.prepare('SELECT COUNT(*) AS n FROM revision_files f LEFT JOIN blobs b ON b.id = f.blob_id WHERE b.id IS NULL').get() as { n: number };
      return { movedAside, state, fetched, cached: cache.list().map((r) => r.sha), danglingFiles: broken.n, integrity: db.pragma('integrity_check', { simple: true }) };
    } finally {
      db.close();
    }
  };

  beforeAll(async () => {
    agentMain = builtBinary('agent/src/main.js');
    bare = await createBareRepo(join(temp.dir, 'repos'), 'fleet.git');
    git = await startGitServer({ root: join(temp.dir, 'repos') });
    kube = await startKubeApiServer({ port: 0 });
    configFile = join(temp.dir, 'agent.yaml');
    writeFileSync(
      configFile,
      JSON.stringify({
        clusterId: 'store-1',
        source: { url: git.repoUrl('fleet.git'), path: 'apps/shop' },
        kubernetes: { server: kube.clusterUrl('store-1') },
        dataDir,
        intervalSeconds: 0.2,
      }),
    );
  });
  afterAll(async () => {
    await git?.close();
    await kube?.close();
    temp.remove();
  });

  it(`stays consistent through ${KILLS} kills and then converges on the head`, { timeout: 180_000 }, async () => {
    const interrupted = { fetch: 0, commit: 0 };
    let head = '';
    for (let kill = 1; kill <= KILLS; kill++) {
      head = await commitFiles(bare, { branch: 'main', message: `release ${kill}`, files: release(kill) });
      const run = runAgent();
      if (kill % 2 === 0) {
        // Mid-commit: the revision is being written to SQLite.
        await Promise.race([run.logged('caching revision'), run.exited]);
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 30));
        if (!run.seen.has('revision cached')) interrupted.commit++;
      } else {
        // Mid-fetch: the Git server has heard from the agent, which has not finished fetching.
        const before = git.stats().requests;
        await expect.poll(() => git.stats().requests, { timeout: 30_000, interval: 5 }).toBeGreaterThan(before);
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 100));
        if (!run.seen.has('fetched')) interrupted.fetch++;
      }
      run.child.kill('SIGKILL');
      await run.exited;

      const after = readDatabase();
      expect(after.movedAside, `kill ${kill}`).toBeUndefined();
      expect(after.integrity).toBe('ok');
      expect(after.danglingFiles).toBe(0);
      // Whatever the agent says it applied or fetched, it has in the cache.
      if (after.state.appliedRevision) expect(after.cached).toContain(after.state.appliedRevision);
      if (after.fetched) expect(after.cached).toContain(after.fetched);
    }
    // Timing decides where each kill lands; most land where aimed, and at least one of each must.
    expect(interrupted.fetch).toBeGreaterThan(0);
    expect(interrupted.commit).toBeGreaterThan(0);

    const run = runAgent();
    try {
      await expect
        .poll(() => readDatabase().state.appliedRevision, { timeout: 60_000, interval: 250 })
        .toBe(head);
    } finally {
      run.child.kill('SIGTERM');
      await run.exited;
    }
    const live = await kube.cluster('store-1').get({ apiVersion: 'v1', kind: 'ConfigMap', name: 'app', namespace: 'shop' });
    expect(live?.['data']).toEqual({ release: String(KILLS) });
  });
});
