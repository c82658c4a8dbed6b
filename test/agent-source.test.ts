/**
 * The agent's Git source and SQLite cache, end to end with real parts: git over HTTP, the agent's
 * SQLite file, the simulated API over HTTP. Offline cold start, hostile trees, bounded storage
 * and a corrupt database.
 */
import { rmSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RunningAgent } from '../agent/src/agent.js';
import type { AgentState } from '../agent/src/core/agent-state.js';
import { openAgentDatabase } from '../agent/src/adapters/store/agent-database.js';
import { SqliteRevisionCache } from '../agent/src/adapters/store/sqlite-revision-cache.js';
import { commitFiles, createBareRepo } from '../simulators/src/git-server/fixtures.js';
import type { FixtureFile } from '../simulators/src/git-server/fixtures.js';
import { startGitServer } from '../simulators/src/git-server/git-server.js';
import type { GitServer } from '../simulators/src/git-server/git-server.js';
import { startKubeApiServer } from '../simulators/src/kube-api/server.js';
import type { KubeApiServer } from '../simulators/src/kube-api/server.js';
import { databaseOf, gitDirOf, startTestAgent } from './support/agent-fixture.js';
import type { TestAgentOptions } from './support/agent-fixture.js';
import { makeTempDir } from './support/temp-dir.js';

const namespace = 'apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n';
const configMap = (release: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: app, namespace: shop}\ndata: {release: "${release}"}\n`;
const configRef = { apiVersion: 'v1', kind: 'ConfigMap', name: 'app', namespace: 'shop' };
const ready = (state: AgentState) => state.conditions.find((c) => c.type === 'Ready');

describe('agent source and cache', () => {
  let temp: ReturnType<typeof makeTempDir>;
  let git: GitServer | undefined;
  let kube: KubeApiServer;
  let bare: string;
  let options: TestAgentOptions;
  const agents: RunningAgent[] = [];

  const start = async (extra: Partial<TestAgentOptions> = {}) => {
    const agent = await startTestAgent({ ...options, ...extra });
    agents.push(agent);
    return agent;
  };
  const stopAgents = async () => {
    await Promise.all(agents.splice(0).map((agent) => agent.stop()));
  };
  const commit = (release: string, files: Record<string, FixtureFile> = {}) =>
    commitFiles(bare, { branch: 'main', message: release, files: { 'apps/shop/ns.yaml': namespace, 'apps/shop/config.yaml': configMap(release), ...files } });
  const cached = () => {
    const { db } = openAgentDatabase(databaseOf(options.dataDir));
    try {
      return new SqliteRevisionCache(db).list().map((r) => r.sha);
    } finally {
      db.close();
    }
  };

  beforeEach(async () => {
    temp = makeTempDir('agent-source');
    bare = await createBareRepo(join(temp.dir, 'repos'), 'fleet.git');
    git = await startGitServer({ root: join(temp.dir, 'repos') });
    kube = await startKubeApiServer({ port: 0 });
    options = { clusterId: 'store-1', repoUrl: git.repoUrl('fleet.git'), kubeUrl: kube.clusterUrl('store-1'), dataDir: join(temp.dir, 'agent'), path: 'apps/shop' };
  });
  afterEach(async () => {
    await stopAgents();
    await git?.close();
    await kube.close();
    temp.remove();
  });

  it('cold-starts offline from SQLite alone: no Git server, no broker, no git directory', async () => {
    const sha = await commit('1');
    const first = await start();
    expect((await first.reconciler.reconcile()).appliedRevision).toBe(sha);
    await stopAgents();

    await git!.close();
    git = undefined;
    rmSync(gitDirOf(options.dataDir), { recursive: true, force: true });
    await kube.cluster('store-1').delete(configRef);

    const started = performance.now();
    const agent = await start({ hub: { url: 'mqtt://127.0.0.1:1', token: 'unused' } });
    const state = await agent.reconciler.reconcile();
    const elapsed = performance.now() - started;
    expect(state.appliedRevision).toBe(sha);
    expect((await kube.cluster('store-1').get(configRef))?.['data']).toEqual({ release: '1' });
    expect(ready(state)).toMatchObject({ status: 'True' });
    expect(elapsed).toBeLessThan(10_000);
  });

  it.each([
    ['a symbolic link', { 'apps/shop/link.yaml': { symlink: '/etc/passwd' } }, 'apps/shop/link.yaml'],
    // The tree entry that breaks the rules is named, before anything under it is read.
    ['a ".." path', { '../escape.yaml': 'x: 1' }, '..'],
    ['a .git entry', { 'apps/.git/config': '[core]' }, 'apps/.git'],
    ['a file over the size limit', { 'apps/shop/big.bin': 'x'.repeat(4096) }, 'apps/shop/big.bin'],
  ] as const)('refuses a revision with %s, names the path, and keeps the last good one', async (_what, files, path) => {
    const good = await commit('1');
    const agent = await start({ config: { source: { url: options.repoUrl, path: 'apps/shop', limits: { maxFileBytes: 1024 } } } });
    await agent.reconciler.reconcile();
    const bad = await commit('2', files as Record<string, FixtureFile>);
    const state = await agent.reconciler.reconcile();
    expect(state.appliedRevision).toBe(good);
    expect(ready(state)).toMatchObject({ status: 'False', reason: 'RevisionRefused' });
    expect(ready(state)?.message).toContain(path);
    expect(state.conditions).toContainEqual(expect.objectContaining({ type: 'Stalled', status: 'True' }));
    expect((await kube.cluster('store-1').get(configRef))?.['data']).toEqual({ release: '1' });
    await stopAgents();
    expect(cached()).toEqual([good]);
    expect(cached()).not.toContain(bad);
  });

  it('refuses a revision with more files than allowed', async () => {
    await commit('1', { 'apps/shop/a.yaml': '# a', 'apps/shop/b.yaml': '# b' });
    const agent = await start({ config: { source: { url: options.repoUrl, path: 'apps/shop', limits: { maxFiles: 3 } } } });
    const state = await agent.reconciler.reconcile();
    expect(state.appliedRevision).toBeNull();
    expect(ready(state)?.message).toMatch(/more than 3 files/);
  });

  it('keeps the newest revisions plus the applied one and collects the rest', async () => {
    const shas = [await commit('1')];
    const agent = await start({ config: { source: { url: options.repoUrl, path: 'apps/shop' }, cache: { keepRevisions: 2 } } });
    for (let release = 2; release <= 5; release++) {
      shas.push(await commit(String(release), { [`apps/shop/notes-${release}.txt`]: `release ${release}` }));
      expect((await agent.reconciler.reconcile()).appliedRevision).toBe(shas.at(-1));
    }
    await stopAgents();
    expect(cached()).toEqual([shas[4], shas[3]]);
  });

  it('moves a corrupt database aside and rebuilds from Git', async () => {
    const sha = await commit('1');
    await (await start()).reconciler.reconcile();
    await stopAgents();
    writeFileSync(databaseOf(options.dataDir), Buffer.alloc(16384, 0x42));
    rmSync(`${databaseOf(options.dataDir)}-wal`, { force: true });
    const agent = await start();
    expect((await agent.reconciler.reconcile()).appliedRevision).toBe(sha);
    expect(readdirSync(options.dataDir).some((f) => f.startsWith('agent.db.corrupt-'))).toBe(true);
  });

  it('says clearly that it cannot rebuild a corrupt database while Git is unreachable', async () => {
    await commit('1');
    await (await start()).reconciler.reconcile();
    await stopAgents();
    await git!.close();
    git = undefined;
    writeFileSync(databaseOf(options.dataDir), Buffer.alloc(16384, 0x42));
    const state = await (await start()).reconciler.reconcile();
    expect(state.appliedRevision).toBeNull();
    expect(ready(state)).toMatchObject({ status: 'False', reason: 'SourceUnavailable' });
    expect(ready(state)?.message).toMatch(/no revision is cached/);
    expect(existsSync(databaseOf(options.dataDir))).toBe(true);
  });
});
