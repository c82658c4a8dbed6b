/**
 * Opt-in commit signature verification through the whole agent: commits signed by native git
 * with ssh-keygen keys, served over HTTP. Only commits signed by a trusted key are applied; an
 * unsigned or foreign-signed head changes nothing and is reported.
 */
import { execFile, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningAgent } from '../agent/src/agent.js';
import { isolatedGitEnv, commitFiles, createBareRepo } from '../simulators/src/git-server/fixtures.js';
import { startGitServer } from '../simulators/src/git-server/git-server.js';
import type { GitServer } from '../simulators/src/git-server/git-server.js';
import { startKubeApiServer } from '../simulators/src/kube-api/server.js';
import type { KubeApiServer } from '../simulators/src/kube-api/server.js';
import { startTestAgent } from './support/agent-fixture.js';
import { makeTempDir } from './support/temp-dir.js';

const run = promisify(execFile);
const hasSshKeygen = spawnSync('ssh-keygen', ['-Y', 'help'], { stdio: 'ignore' }).error === undefined;
const configMap = (release: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: app, namespace: default}\ndata: {release: "${release}"}\n`;
const configRef = { apiVersion: 'v1', kind: 'ConfigMap', name: 'app', namespace: 'default' };

describe.skipIf(!hasSshKeygen)('agent with verifyCommits (needs ssh-keygen)', () => {
  const temp = makeTempDir('agent-signatures');
  const work = join(temp.dir, 'work');
  let bare: string;
  let git: GitServer;
  let kube: KubeApiServer;
  let agent: RunningAgent;
  const env = isolatedGitEnv();

  const keygen = async (name: string) => {
    await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', name, '-f', join(temp.dir, name)]);
    return join(temp.dir, name);
  };
  /** Commits `release` in the work clone (signed with `key` if given) and pushes it. */
  const commit = async (release: string, key?: string) => {
    writeFileSync(join(work, 'app.yaml'), configMap(release));
    const signing = key ? ['-c', 'gpg.format=ssh', '-c', `user.signingkey=${key}`] : [];
    await run('git', ['-C', work, 'add', '-A'], { env });
    await run('git', ['-C', work, ...signing, 'commit', '-q', ...(key ? ['-S'] : []), '-m', `release ${release}`], { env });
    await run('git', ['-C', work, 'push', '-q', 'origin', 'HEAD:main'], { env });
    return (await run('git', ['-C', work, 'rev-parse', 'HEAD'], { env })).stdout.trim();
  };

  beforeAll(async () => {
    bare = await createBareRepo(join(temp.dir, 'repos'), 'fleet.git');
    await commitFiles(bare, { branch: 'main', message: 'unsigned start', files: { 'README.md': 'fleet' } });
    await run('git', ['clone', '-q', bare, work], { env });
    git = await startGitServer({ root: join(temp.dir, 'repos') });
    kube = await startKubeApiServer({ port: 0 });
  });
  afterAll(async () => {
    await agent?.stop();
    await git?.close();
    await kube?.close();
    temp.remove();
  });

  it('applies trusted signed commits and refuses unsigned or foreign-signed ones', async () => {
    const trusted = await keygen('trusted');
    const stranger = await keygen('stranger');
    const signed = await commit('1', trusted);
    agent = await startTestAgent({
      clusterId: 'store-1',
      repoUrl: git.repoUrl('fleet.git'),
      kubeUrl: kube.clusterUrl('store-1'),
      dataDir: join(temp.dir, 'agent'),
      config: { source: { url: git.repoUrl('fleet.git'), verifyCommits: { sshKeyFiles: [`${trusted}.pub`] } } },
    });
    expect((await agent.reconciler.reconcile()).appliedRevision).toBe(signed);

    for (const [release, key, why] of [['2', undefined, /unsigned|not signed/i], ['3', stranger, /not.*trusted|unknown/i]] as const) {
      const head = await commit(release, key);
      const state = await agent.reconciler.reconcile();
      expect(state.appliedRevision).toBe(signed);
      const ready = state.conditions.find((c) => c.type === 'Ready');
      expect(ready).toMatchObject({ status: 'False', reason: 'RevisionRefused' });
      expect(ready?.message).toContain(head.slice(0, 12));
      expect(ready?.message).toMatch(why);
      expect((await kube.cluster('store-1').get(configRef))?.['data']).toEqual({ release: '1' });
    }

    const next = await commit('4', trusted);
    expect((await agent.reconciler.reconcile()).appliedRevision).toBe(next);
  });
});
