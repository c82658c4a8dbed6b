import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { IsomorphicGitSource } from '../agent/src/adapters/isomorphic-git-source.js';
import { MemoryGitSource } from '../agent/src/adapters/memory-git-source.js';
import { commitFiles, createBareRepo } from '../simulators/src/git-fixtures.js';
import type { FixtureFile } from '../simulators/src/git-fixtures.js';
import { startGitServer } from '../simulators/src/git-server.js';
import type { GitServer } from '../simulators/src/git-server.js';
import { describeGitSourceContract, expectKind } from './git-contract.js';
import type { GitSourceFixture } from './git-contract.js';
import { makeTempDir } from './support/temp-dir.js';

describeGitSourceContract('MemoryGitSource', async () => {
  const source = new MemoryGitSource();
  return { source, commit: async (branch, files) => source.commit(branch, files), teardown: async () => undefined };
});

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
