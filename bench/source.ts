/**
 * Source: fetching a 2,000-file repository with the agent's Git adapter against native `git
 * fetch` on the same server in the same run; the agent's offline cold start to its first
 * applied object from SQLite alone (in-process and as a whole process); the agent's RSS.
 */
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startAgent } from '../agent/src/agent.js';
import { httpKubeFromUrl } from '../agent/src/adapters/kube/http-kube.js';
import { IsomorphicGitSource } from '../shared/src/git/isomorphic-git-source.js';
import { AgentConfig } from '../agent/src/config/agent-config.js';
import { createLogger } from '../shared/src/logger.js';
import { commitFiles, createBareRepo, runGit } from '../simulators/src/git-server/fixtures.js';
import { startGitServer } from '../simulators/src/git-server/git-server.js';
import type { GitServer } from '../simulators/src/git-server/git-server.js';
import { startKubeApiServer } from '../simulators/src/kube-api/server.js';
import type { KubeApiServer } from '../simulators/src/kube-api/server.js';
import { ratio, timed } from './measure.js';

const FILES = 2000;
const OBJECTS = 200;
const logger = createLogger({ name: 'bench', level: 'warn' });

function repository(): Record<string, string> {
  const files: Record<string, string> = { 'apps/bench/ns.yaml': 'apiVersion: v1\nkind: Namespace\nmetadata: {name: bench}\n' };
  for (let i = 0; i < OBJECTS - 1; i++) {
    files[`apps/bench/config-${i}.yaml`] =
      `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: config-${i}\n  namespace: bench\ndata:\n  index: "${i}"\n  text: "${'lorem ipsum '.repeat(40)}"\n`;
  }
  for (let i = Object.keys(files).length; i < FILES; i++) files[`docs/section-${i % 20}/page-${i}.md`] = `# Page ${i}\n\n${'Operating notes for the stores. '.repeat(30)}\n`;
  return files;
}

/** Bytes the Git server sends while `run` runs. */
async function measuredFetch(git: GitServer, run: () => Promise<unknown>): Promise<{ ms: number; bytes: number }> {
  const before = git.stats().bytesSent;
  const { ms } = await timed(run);
  return { ms, bytes: git.stats().bytesSent - before };
}

export async function sourceBench(): Promise<Record<string, number>> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-source-'));
  const bare = await createBareRepo(join(dir, 'repos'), 'fleet.git');
  let git: GitServer | undefined = await startGitServer({ root: join(dir, 'repos') });
  const kube: KubeApiServer = await startKubeApiServer({ port: 0 });
  try {
    const files = repository();
    await commitFiles(bare, { branch: 'main', message: 'initial', files });
    const url = git.repoUrl('fleet.git');

    // First fetches into fresh caches: the median of three, each side, to damp machine noise.
    const firstFetches = async (fetchInto: (run: number) => Promise<unknown>) => {
      const runs = [];
      for (let run = 0; run < 3; run++) runs.push(await measuredFetch(git!, () => fetchInto(run)));
      return runs.sort((a, b) => a.ms - b.ms)[1]!;
    };
    const sources = [0, 1, 2].map((run) => new IsomorphicGitSource({ url, dir: join(dir, `iso-${run}`) }));
    const first = await firstFetches((run) => sources[run]!.fetchBranchHead('main'));
    const source = sources[2]!;
    const nativeDir = (run: number) => join(dir, `native-${run}.git`);
    const nativeFetch = (run: number, depth: string[]) =>
      runGit(['-C', nativeDir(run), 'fetch', '-q', ...depth, url, '+main:refs/remotes/origin/main']);
    const nativeFirst = await firstFetches(async (run) => {
      await runGit(['init', '--bare', '-q', nativeDir(run)]);
      await nativeFetch(run, ['--depth=1']);
    });

    await commitFiles(bare, { branch: 'main', message: 'one file', files: { 'apps/bench/config-7.yaml': files['apps/bench/config-7.yaml']!.replace('"7"', '"7b"') } });
    const incremental = await measuredFetch(git, () => source.fetchBranchHead('main'));
    const nativeIncremental = await measuredFetch(git, () => nativeFetch(2, ['--depth=1']));

    console.log(`repository: ${FILES} files`);
    console.log(`first fetch (median of 3) agent ${first.ms} ms, ${first.bytes} B    native git ${nativeFirst.ms} ms, ${nativeFirst.bytes} B    ratio ${ratio(first.ms, nativeFirst.ms)}`);
    console.log(`one-file increment        agent ${incremental.ms} ms, ${incremental.bytes} B    native git ${nativeIncremental.ms} ms, ${nativeIncremental.bytes} B    ratio ${ratio(incremental.ms, nativeIncremental.ms)}`);

    // Fill an agent's cache online, then take Git away and delete the git directory.
    const dataDir = join(dir, 'agent');
    const { hub: _none, ...settings } = AgentConfig.parse({
      clusterId: 'bench',
      source: { url, path: 'apps/bench' },
      kubernetes: { server: kube.clusterUrl('bench') },
      dataDir,
      intervalSeconds: 3600,
    });
    const online = await startAgent({ ...settings, mode: 'track' }, logger, { kube: httpKubeFromUrl(kube.clusterUrl('online')) });
    await online.reconciler.reconcile();
    await online.stop();
    await git.close();
    git = undefined;
    rmSync(join(dataDir, 'git'), { recursive: true, force: true });

    const waitFor = async (done: () => Promise<boolean>) => {
      while (!(await done())) await new Promise((resolve) => setTimeout(resolve, 2));
    };
    const firstObject = (cluster: string) => () =>
      waitFor(async () => (await kube.cluster(cluster).list('v1', 'Namespace')).some((ns) => ns.metadata.name === 'bench'));
    const allObjects = (cluster: string) => () =>
      waitFor(async () => (await kube.cluster(cluster).list('v1', 'ConfigMap', { namespace: 'bench' })).length === OBJECTS - 1);
    const coldStart = await timed(async () => {
      const agent = await startAgent({ ...settings, mode: 'track', intervalSeconds: 3600 }, logger, { kube: httpKubeFromUrl(kube.clusterUrl('offline')) });
      await firstObject('offline')();
      await agent.reconciler.reconcile();
      await agent.stop();
    });
    const process = await coldStartProcess(dir, { ...settings, kubernetes: { server: kube.clusterUrl('process') } }, firstObject('process'), allObjects('process'));

    console.log(`offline cold start to first applied object (${OBJECTS} objects): in-process ${coldStart.ms} ms, whole process ${process.firstObjectMs} ms`);
    console.log(`agent RSS after its first reconcile: ${process.rssMb} MB`);
    return {
      files: FILES,
      firstFetchMs: first.ms,
      firstFetchBytes: first.bytes,
      incrementalFetchMs: incremental.ms,
      incrementalFetchBytes: incremental.bytes,
      nativeFirstFetchMs: nativeFirst.ms,
      nativeFirstFetchBytes: nativeFirst.bytes,
      nativeIncrementalFetchMs: nativeIncremental.ms,
      nativeIncrementalFetchBytes: nativeIncremental.bytes,
      firstFetchVsNative: ratio(first.ms, nativeFirst.ms),
      incrementalFetchVsNative: ratio(incremental.ms, nativeIncremental.ms),
      coldStartMs: coldStart.ms,
      coldStartProcessMs: process.firstObjectMs,
      rssMb: process.rssMb,
    };
  } finally {
    await git?.close();
    await kube.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs the agent binary offline; times its first applied object and reads its RSS after the first reconcile. */
async function coldStartProcess(
  dir: string,
  settings: object,
  firstObject: () => Promise<void>,
  allObjects: () => Promise<void>,
): Promise<{ firstObjectMs: number; rssMb: number }> {
  const configFile = join(dir, 'agent.yaml');
  writeFileSync(configFile, JSON.stringify(settings));
  // The agent as it ships and as `npm run agent` runs it: transpiled JavaScript on plain node,
  // with a small young generation (see docs/decisions.md).
  execFileSync(process.execPath, [join(import.meta.dirname, '../deploy/build.mjs')], { cwd: join(import.meta.dirname, '..') });
  const child = spawn(process.execPath, ['--max-semi-space-size=4', join(import.meta.dirname, '../dist/agent/src/main.js'), 'run', '--config', configFile], {
    stdio: 'ignore',
  });
  const started = performance.now();
  try {
    await firstObject();
    const firstObjectMs = Math.round(performance.now() - started);
    await allObjects();
    const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
    const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN);
    return { firstObjectMs, rssMb: Math.round(rssKb / 102.4) / 10 };
  } finally {
    child.kill('SIGTERM');
  }
}
