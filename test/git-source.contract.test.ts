import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { IsomorphicGitSource } from '../shared/src/git/isomorphic-git-source.js';
import { MemoryGitSource } from '../shared/src/git/memory-git-source.js';
import type { MemoryFile } from '../shared/src/git/memory-git-source.js';
import { commitFiles, commitRawTree, createBareRepo, runGit } from '../simulators/src/git-server/fixtures.js';
import type { FixtureFile, RawTreeEntry } from '../simulators/src/git-server/fixtures.js';
import { startGitServer } from '../simulators/src/git-server/git-server.js';
import type { GitServer } from '../simulators/src/git-server/git-server.js';
import { describeGitSourceContract, expectKind } from './git-contract.js';
import type { GitSourceFixture } from './git-contract.js';
import { makeTempDir } from './support/temp-dir.js';

describeGitSourceContract('MemoryGitSource', async () => {
  const source = new MemoryGitSource();
  return {
    source,
    commit: async (branch, files) => source.commit(branch, files),
    commitRaw: async (branch, entries) => source.commit(branch, flatten(entries)),
    remoteRequests: () => source.fetchCount,
    teardown: async () => undefined,
  };
});

/** Raw tree entries as the flat paths a memory commit takes. */
function flatten(entries: readonly RawTreeEntry[], prefix = ''): Record<string, MemoryFile> {
  const files: Record<string, MemoryFile> = {};
  for (const entry of entries) {
    if ('tree' in entry) Object.assign(files, flatten(entry.tree, `${prefix}${entry.name}/`));
    else files[`${prefix}${entry.name}`] = entry.mode === '120000' ? { symlink: String(entry.content) } : entry.content;
  }
  return files;
}

/** A bare repository behind the real git server, and an `IsomorphicGitSource` with its own cache dir. */
async function httpFixture(auth?: { username: string; password: string }): Promise<
  GitSourceFixture & { server: GitServer; repo: string; cacheDir: string; source: IsomorphicGitSource }
> {
  const temp = makeTempDir('git-source');
  const repo = await createBareRepo(join(temp.dir, 'repos'), 'fleet.git');
  const server = await startGitServer({ root: join(temp.dir, 'repos'), auth });
  const cacheDir = join(temp.dir, 'cache');
  const source = new IsomorphicGitSource({ url: server.repoUrl('fleet.git'), dir: cacheDir, auth, timeoutMs: 10_000 });
  return {
    source,
    server,
    repo,
    cacheDir,
    commit: (branch, files) => commitFiles(repo, { branch, files, replace: true }),
    commitRaw: (branch, entries) => commitRawTree(repo, { branch, entries }),
    remoteRequests: () => server.stats().requests,
    teardown: async () => {
      await server.close();
      temp.remove();
    },
  };
}

describeGitSourceContract('IsomorphicGitSource over HTTP', () => httpFixture());
describeGitSourceContract('IsomorphicGitSource over HTTP with Basic auth', () =>
  httpFixture({ username: 'agent', password: 's3cret' }),
);

describe('MemoryGitSource offline', () => {
  it('fails fetches with a transient error while unreachable and keeps what it fetched', async () => {
    const source = new MemoryGitSource();
    const sha = source.commit('main', { 'a.yaml': 'a\n' });
    await source.fetchBranchHead('main');
    source.setReachable(false);
    source.commit('main', { 'a.yaml': 'b\n' });
    await expectKind(source.fetchBranchHead('main'), 'transient');
    expect((await source.readTree(sha, '')).size).toBe(1);
    source.setReachable(true);
    expect(await source.fetchBranchHead('main')).not.toBe(sha);
    expect(source.fetchCount).toBe(3);
  });
});

describe('IsomorphicGitSource', () => {
  let fixture: Awaited<ReturnType<typeof httpFixture>>;
  beforeEach(async () => {
    fixture = await httpFixture();
  });
  afterEach(async () => {
    await fixture.teardown();
  });

  const commit = (files: Record<string, FixtureFile>, replace = false): Promise<string> =>
    commitFiles(fixture.repo, { branch: 'main', files, replace });

  it('fetches only new objects after the first fetch', async () => {
    const files: Record<string, FixtureFile> = { 'small.yaml': 'v: 1\n' };
    // Random bytes do not compress: a resend of them would show in the byte count.
    for (let i = 0; i < 8; i++) files[`data/blob-${i}.bin`] = randomBytes(32 * 1024);
    await commit(files);
    const before = fixture.server.stats().bytesSent;
    await fixture.source.fetchBranchHead('main');
    const first = fixture.server.stats().bytesSent - before;
    expect(first).toBeGreaterThan(8 * 32 * 1024);

    const head = await commit({ 'small.yaml': 'v: 2\n' });
    const mark = fixture.server.stats().bytesSent;
    expect(await fixture.source.fetchBranchHead('main')).toBe(head);
    const second = fixture.server.stats().bytesSent - mark;
    expect(second).toBeLessThan(4096);
    const tree = await fixture.source.readTree(head, '');
    expect(tree.size).toBe(9);
    expect(new TextDecoder().decode(tree.get('small.yaml'))).toBe('v: 2\n');
  });

  it('compacts packfiles so that fetches do not pile them up, and stays incremental', async () => {
    const first = await commit({ 'base.yaml': 'base\n' });
    await fixture.source.fetchBranchHead('main');
    const counts: number[] = [];
    for (let i = 0; i < 10; i++) {
      await commit({ [`files/f-${i}.yaml`]: `i: ${i}\n` });
      await fixture.source.fetchBranchHead('main');
      counts.push(packCount(fixture.cacheDir));
    }
    // Compaction runs past 4 packs: the count never exceeds 5 and falls back to 1.
    expect(Math.max(...counts)).toBeLessThanOrEqual(5);
    expect(counts).toContain(1);
    expect(readdirSync(fixture.cacheDir)).not.toContain('compact.tmp');
    // Native git accepts the packs the adapter wrote and indexed itself.
    const packDir = join(fixture.cacheDir, 'objects', 'pack');
    for (const name of readdirSync(packDir).filter((file) => file.endsWith('.idx'))) await runGit(['verify-pack', join(packDir, name)]);

    const head = await commit({ 'files/f-10.yaml': 'i: 10\n' });
    const mark = fixture.server.stats().bytesSent;
    expect(await fixture.source.fetchBranchHead('main')).toBe(head);
    expect(fixture.server.stats().bytesSent - mark).toBeLessThan(4096);
    expect((await fixture.source.readTree(head, '')).size).toBe(12);
    // History fetched before compaction is still there.
    expect([...(await fixture.source.readTree(first, '')).keys()]).toEqual(['base.yaml']);
    expect(await fixture.source.diskUsage()).toBeGreaterThan(0);
  });

  it('compacts a deepened history and tidies what an interrupted run left behind', async () => {
    const oldest = await commit({ 'a.yaml': 'a: 0\n' });
    for (let i = 1; i < 30; i++) await commit({ 'a.yaml': `a: ${i}\n` });
    await fixture.source.fetchBranchHead('main');
    await fixture.source.fetchCommit(oldest, 'main');
    // What a kill during compaction leaves: a scratch directory and a pack without an index.
    mkdirSync(join(fixture.cacheDir, 'compact.tmp'), { recursive: true });
    writeFileSync(join(fixture.cacheDir, 'compact.tmp', 'pack-partial.pack'), 'PACK');
    writeFileSync(join(fixture.cacheDir, 'objects', 'pack', `pack-${'0'.repeat(40)}.pack`), 'PACK');
    for (let i = 0; i < 5; i++) {
      await commit({ [`b-${i}.yaml`]: 'b\n' });
      await fixture.source.fetchBranchHead('main');
    }
    expect(packCount(fixture.cacheDir)).toBeLessThanOrEqual(5);
    expect(readdirSync(join(fixture.cacheDir, 'objects', 'pack'))).not.toContain(`pack-${'0'.repeat(40)}.pack`);
    expect(new TextDecoder().decode((await fixture.source.readTree(oldest, '')).get('a.yaml'))).toBe('a: 0\n');
  });

  it('rebuilds a deleted cache directory in fetchCommit, deepening from scratch', async () => {
    const old = await commit({ 'a.yaml': 'old\n' });
    await commit({ 'a.yaml': 'middle\n' });
    const head = await commit({ 'a.yaml': 'head\n' });
    await fixture.source.fetchBranchHead('main');
    rmSync(fixture.cacheDir, { recursive: true, force: true });
    await expectKind(fixture.source.readTree(head, ''), 'not-found');
    expect(await fixture.source.diskUsage()).toBe(0);
    await fixture.source.fetchCommit(old, 'main');
    expect(new TextDecoder().decode((await fixture.source.readTree(old, '')).get('a.yaml'))).toBe('old\n');
    expect(new TextDecoder().decode((await fixture.source.readTree(head, '')).get('a.yaml'))).toBe('head\n');
  });

  it('deletes a damaged cache on read, with a transient error, and rebuilds it on the next fetch', async () => {
    const head = await commit({ 'a.yaml': 'a\n', 'big.bin': randomBytes(4096) });
    await fixture.source.fetchBranchHead('main');
    const packDir = join(fixture.cacheDir, 'objects', 'pack');
    for (const name of readdirSync(packDir).filter((file) => file.endsWith('.pack'))) {
      const bytes = readFileSync(join(packDir, name));
      bytes[bytes.length - 100] = (bytes[bytes.length - 100] ?? 0) ^ 0xff;
      writeFileSync(join(packDir, name), bytes);
    }
    const error = await expectKind(fixture.source.readTree(head, ''), 'transient');
    expect(error.message).toContain('could not be read');
    expect(existsSync(fixture.cacheDir)).toBe(false);
    await fixture.source.fetchCommit(head, 'main');
    expect((await fixture.source.readTree(head, '')).size).toBe(2);
  });

  it('recovers from a fetch killed after it moved the ref but before it wrote the pack', async () => {
    await commit({ 'a.yaml': 'a\n' });
    await fixture.source.fetchBranchHead('main');
    const packDir = join(fixture.cacheDir, 'objects', 'pack');
    const before = new Set(readdirSync(packDir));
    const lost = await commit({ 'a.yaml': 'lost\n' });
    await fixture.source.fetchBranchHead('main');
    // isomorphic-git writes refs and `shallow` before the pack: a kill while the pack downloads leaves this.
    for (const name of readdirSync(packDir).filter((file) => !before.has(file))) rmSync(join(packDir, name));
    await expectKind(fixture.source.readTree(lost, ''), 'not-found');
    await fixture.source.fetchCommit(lost, 'main');
    expect(new TextDecoder().decode((await fixture.source.readTree(lost, '')).get('a.yaml'))).toBe('lost\n');
    const next = await commit({ 'a.yaml': 'next\n' });
    expect(await fixture.source.fetchBranchHead('main')).toBe(next);
    expect(new TextDecoder().decode((await fixture.source.readTree(next, '')).get('a.yaml'))).toBe('next\n');
  });

  it('starts over when the shallow file is torn', async () => {
    await commit({ 'a.yaml': 'a\n' });
    await fixture.source.fetchBranchHead('main');
    writeFileSync(join(fixture.cacheDir, 'shallow'), 'not-a-sha\n');
    const head = await commit({ 'a.yaml': 'b\n' });
    expect(await fixture.source.fetchBranchHead('main')).toBe(head);
    expect((await fixture.source.readTree(head, '')).size).toBe(1);
  });

  it('rebuilds a deleted cache directory on the next fetch', async () => {
    const head = await commit({ 'a.yaml': 'a\n' });
    await fixture.source.fetchBranchHead('main');
    rmSync(fixture.cacheDir, { recursive: true, force: true });
    await expectKind(fixture.source.readTree(head, ''), 'not-found');
    expect(await fixture.source.fetchBranchHead('main')).toBe(head);
    expect([...(await fixture.source.readTree(head, '')).keys()]).toEqual(['a.yaml']);
  });

  it('refuses symbolic links and submodules, naming the path', async () => {
    const head = await commit({
      'ok/a.yaml': 'a\n',
      'links/to-passwd': { symlink: '/etc/passwd' },
      'mods/lib': { submodule: 'a'.repeat(40) },
    });
    await fixture.source.fetchBranchHead('main');
    expect([...(await fixture.source.readTree(head, 'ok')).keys()]).toEqual(['a.yaml']);
    expect((await expectKind(fixture.source.readTree(head, 'links'), 'validation')).message).toContain(
      'links/to-passwd',
    );
    expect((await expectKind(fixture.source.readTree(head, 'mods'), 'validation')).message).toContain('mods/lib');
    await expectKind(fixture.source.readTree(head, ''), 'validation');
  });

  it('keeps executables as regular files', async () => {
    const head = await commit({ 'bin/run.sh': { executable: '#!/bin/sh\n' } });
    await fixture.source.fetchBranchHead('main');
    expect(new TextDecoder().decode((await fixture.source.readTree(head, 'bin')).get('run.sh'))).toBe('#!/bin/sh\n');
  });

  it('fails with not-found for a repository that does not exist', async () => {
    const source = new IsomorphicGitSource({ url: fixture.server.repoUrl('missing.git'), dir: join(fixture.cacheDir, 'x') });
    await expectKind(source.fetchBranchHead('main'), 'not-found');
  });

  it('fails with not-found for an empty repository', async () => {
    await createBareRepo(join(fixture.repo, '..'), 'empty.git');
    const source = new IsomorphicGitSource({ url: fixture.server.repoUrl('empty.git'), dir: join(fixture.cacheDir, 'e') });
    await expectKind(source.fetchBranchHead('main'), 'not-found');
  });

  it('fails with a transient error when nothing listens', async () => {
    const url = fixture.server.repoUrl('fleet.git');
    await fixture.server.close();
    const source = new IsomorphicGitSource({ url, dir: join(fixture.cacheDir, 'down') });
    await expectKind(source.fetchBranchHead('main'), 'transient');
  });
});

function packCount(gitdir: string): number {
  return readdirSync(join(gitdir, 'objects', 'pack')).filter((name) => name.endsWith('.pack')).length;
}
