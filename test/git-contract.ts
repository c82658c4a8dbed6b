import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isFleetError } from '../shared/src/errors.js';
import type { ErrorKind } from '../shared/src/errors.js';
import type { TreeLimits } from '../shared/src/git/tree-policy.js';
import type { GitSource } from '../shared/src/git/git-source.js';
import type { FileTree } from '../shared/src/git/file-tree.js';
import type { RawTreeEntry } from '../simulators/src/git-server/fixtures.js';

/** A file in a contract commit: content, or one of the entries a source must refuse. */
export type ContractFile = string | Uint8Array | { symlink: string } | { submodule: string };

export interface GitSourceFixture {
  source: GitSource;
  /** Commits on the remote a tree that is exactly `files` (paths taken as given); returns the commit's SHA. */
  commit(branch: string, files: Record<string, ContractFile>): Promise<string>;
  /** Commits a tree that is exactly `entries`, names byte for byte (for names no path syntax can express). */
  commitRaw(branch: string, entries: readonly RawTreeEntry[]): Promise<string>;
  /** How many times the source has gone to the remote so far. */
  remoteRequests(): number;
  teardown(): Promise<void>;
}

/** The behaviour every `GitSource` adapter must have; run once per adapter. */
export function describeGitSourceContract(name: string, setup: () => Promise<GitSourceFixture>): void {
  describe(`GitSource contract: ${name}`, () => {
    let fixture: GitSourceFixture;
    beforeEach(async () => {
      fixture = await setup();
    });
    afterEach(async () => {
      await fixture.teardown();
    });

    it('returns the SHA of the branch head', async () => {
      const sha = await fixture.commit('main', { 'app/deploy.yaml': 'replicas: 1\n' });
      expect(sha).toMatch(/^[0-9a-f]{40}$/);
      expect(await fixture.source.fetchBranchHead('main')).toBe(sha);
    });

    it('returns the new head after a new commit, and still reads the old commit', async () => {
      const first = await fixture.commit('main', { 'a.yaml': 'v: 1\n', 'b.yaml': 'b\n' });
      await fixture.source.fetchBranchHead('main');
      const second = await fixture.commit('main', { 'a.yaml': 'v: 2\n', 'b.yaml': 'b\n' });
      expect(second).not.toBe(first);
      expect(await fixture.source.fetchBranchHead('main')).toBe(second);
      expect(text(await fixture.source.readTree(second, ''))).toEqual({ 'a.yaml': 'v: 2\n', 'b.yaml': 'b\n' });
      expect(text(await fixture.source.readTree(first, ''))).toEqual({ 'a.yaml': 'v: 1\n', 'b.yaml': 'b\n' });
    });

    it('reads the whole tree for "" and "." and exact bytes', async () => {
      const files = { 'README.md': '# fleet ✓\n', 'apps/web/deploy.yaml': 'kind: Deployment\n', 'apps/web/svc.yaml': 's\n' };
      const sha = await fixture.commit('main', files);
      await fixture.source.fetchBranchHead('main');
      expect(text(await fixture.source.readTree(sha, ''))).toEqual(files);
      expect(text(await fixture.source.readTree(sha, '.'))).toEqual(files);
      const readme = (await fixture.source.readTree(sha, '')).get('README.md');
      expect(readme).toBeInstanceOf(Uint8Array);
      expect(Buffer.from(readme ?? []).equals(Buffer.from(files['README.md'], 'utf8'))).toBe(true);
    });

    it('returns keys relative to a subpath', async () => {
      const sha = await fixture.commit('main', {
        'clusters/edge/app.yaml': 'a\n',
        'clusters/edge/base/ns.yaml': 'ns\n',
        'clusters/edge-other/x.yaml': 'x\n',
        'top.yaml': 't\n',
      });
      await fixture.source.fetchBranchHead('main');
      const expected = { 'app.yaml': 'a\n', 'base/ns.yaml': 'ns\n' };
      expect(text(await fixture.source.readTree(sha, 'clusters/edge'))).toEqual(expected);
      expect(text(await fixture.source.readTree(sha, './clusters/edge/'))).toEqual(expected);
    });

    it('no longer lists deleted files', async () => {
      await fixture.commit('main', { 'keep.yaml': 'k\n', 'gone/old.yaml': 'o\n' });
      await fixture.source.fetchBranchHead('main');
      const sha = await fixture.commit('main', { 'keep.yaml': 'k\n' });
      await fixture.source.fetchBranchHead('main');
      expect(text(await fixture.source.readTree(sha, ''))).toEqual({ 'keep.yaml': 'k\n' });
      await expectKind(fixture.source.readTree(sha, 'gone'), 'not-found');
    });

    it('keeps branches apart', async () => {
      const main = await fixture.commit('main', { 'f.yaml': 'main\n' });
      const staging = await fixture.commit('staging', { 'f.yaml': 'staging\n' });
      expect(await fixture.source.fetchBranchHead('staging')).toBe(staging);
      expect(await fixture.source.fetchBranchHead('main')).toBe(main);
      expect(text(await fixture.source.readTree(staging, ''))).toEqual({ 'f.yaml': 'staging\n' });
    });

    it('fails with not-found for an unknown commit, an unfetched commit and an unknown path', async () => {
      const sha = await fixture.commit('main', { 'a/b.yaml': 'b\n' });
      await expectKind(fixture.source.readTree(sha, ''), 'not-found');
      await fixture.source.fetchBranchHead('main');
      await expectKind(fixture.source.readTree('0123456789abcdef0123456789abcdef01234567', ''), 'not-found');
      await expectKind(fixture.source.readTree(sha, 'nope'), 'not-found');
      await expectKind(fixture.source.readTree(sha, 'a/nope'), 'not-found');
    });

    it('fails with not-found for an unknown branch', async () => {
      await fixture.commit('main', { 'a.yaml': 'a\n' });
      await expectKind(fixture.source.fetchBranchHead('no-such-branch'), 'not-found');
    });

    it('refuses invalid branch names', async () => {
      await fixture.commit('main', { 'a.yaml': 'a\n' });
      for (const branch of ['', '../main', 'a..b', 'main.lock', '-x', 'with space', 'a/.hidden']) {
        await expectKind(fixture.source.fetchBranchHead(branch), 'validation');
      }
    });

    it('refuses paths that leave the tree, a file as a directory and a malformed SHA', async () => {
      const sha = await fixture.commit('main', { 'a/b.yaml': 'b\n' });
      await fixture.source.fetchBranchHead('main');
      await expectKind(fixture.source.readTree(sha, '../a'), 'validation');
      await expectKind(fixture.source.readTree(sha, 'a/../../x'), 'validation');
      await expectKind(fixture.source.readTree(sha, '/a'), 'validation');
      await expectKind(fixture.source.readTree(sha, 'a/b.yaml'), 'validation');
      await expectKind(fixture.source.readTree('main', ''), 'validation');
    });

    describeFetchCommit(() => fixture);
    describeHostileTrees(() => fixture);
  });
}

function describeFetchCommit(get: () => GitSourceFixture): void {
  const commits = async (count: number, branch = 'main'): Promise<string[]> => {
    const shas: string[] = [];
    for (let i = 0; i < count; i++) shas.push(await get().commit(branch, { 'step.yaml': `step: ${i}\n` }));
    return shas;
  };

  it('fetchCommit finds an old commit of the branch by deepening its history', async () => {
    const shas = await commits(40);
    await get().source.fetchBranchHead('main');
    const oldest = shas[0] ?? '';
    await expectKind(get().source.readTree(oldest, ''), 'not-found');
    await get().source.fetchCommit(oldest, 'main');
    expect(text(await get().source.readTree(oldest, ''))).toEqual({ 'step.yaml': 'step: 0\n' });
    expect(text(await get().source.readTree(shas[39] ?? '', ''))).toEqual({ 'step.yaml': 'step: 39\n' });
  });

  it('fetchCommit fetches a commit newer than the last fetch, and a first commit with no fetch before', async () => {
    const [first] = await commits(1);
    await get().source.fetchCommit(first ?? '', 'main');
    expect(text(await get().source.readTree(first ?? '', ''))).toEqual({ 'step.yaml': 'step: 0\n' });
    const [newer] = await commits(1);
    await get().source.fetchCommit(newer ?? '', 'main');
    expect(text(await get().source.readTree(newer ?? '', ''))).toEqual({ 'step.yaml': 'step: 0\n' });
  });

  it('fetchCommit of a cached commit does not go to the remote', async () => {
    const shas = await commits(3);
    const head = shas[2] ?? '';
    const oldest = shas[0] ?? '';
    await get().source.fetchBranchHead('main');
    const fetched = get().remoteRequests();
    await get().source.fetchCommit(head, 'main');
    expect(get().remoteRequests()).toBe(fetched);
    await get().source.fetchCommit(oldest, 'main');
    const deepened = get().remoteRequests();
    expect(deepened).toBeGreaterThan(fetched);
    await get().source.fetchCommit(oldest, 'main');
    await get().source.fetchCommit(shas[1] ?? '', 'main');
    expect(get().remoteRequests()).toBe(deepened);
  });

  it('fetchCommit fails with not-found for a commit only on another branch, naming both', async () => {
    await commits(3);
    const staging = await get().commit('staging', { 'f.yaml': 'staging\n' });
    const error = await expectKind(get().source.fetchCommit(staging, 'main'), 'not-found');
    expect(error.message).toContain(`commit ${staging} is not reachable from branch main`);
    await expectKind(get().source.readTree(staging, ''), 'not-found');
    await expectKind(get().source.fetchCommit('0123456789abcdef0123456789abcdef01234567', 'main'), 'not-found');
    await get().source.fetchCommit(staging, 'staging');
    expect(text(await get().source.readTree(staging, ''))).toEqual({ 'f.yaml': 'staging\n' });
  });

  it('fetchCommit refuses a malformed SHA or branch name', async () => {
    await commits(1);
    await expectKind(get().source.fetchCommit('abc123', 'main'), 'validation');
    await expectKind(get().source.fetchCommit('main', 'main'), 'validation');
    await expectKind(get().source.fetchCommit('0123456789abcdef0123456789abcdef01234567', '../main'), 'validation');
  });

  it('readCommitObject returns the commit object whose Git hash is the SHA', async () => {
    const sha = await get().commit('main', { 'a.yaml': 'a\n' });
    await expectKind(get().source.readCommitObject(sha), 'not-found');
    await get().source.fetchBranchHead('main');
    const object = await get().source.readCommitObject(sha);
    expect(new TextDecoder().decode(object)).toMatch(/^tree [0-9a-f]{40}\n/);
    const hash = createHash('sha1').update(`commit ${object.length}\0`).update(object).digest('hex');
    expect(hash).toBe(sha);
    await expectKind(get().source.readCommitObject('0123456789abcdef0123456789abcdef01234567'), 'not-found');
    await expectKind(get().source.readCommitObject('HEAD'), 'validation');
  });
}

function describeHostileTrees(get: () => GitSourceFixture): void {
  /** Reads the tree of a fresh commit of `files` and returns the validation error's message. */
  const refusal = async (commit: Promise<string>, limits?: TreeLimits): Promise<string> => {
    const sha = await commit;
    await get().source.fetchBranchHead('main');
    return (await expectKind(get().source.readTree(sha, '', limits), 'validation')).message;
  };
  const files = (entries: Record<string, ContractFile>): Promise<string> => get().commit('main', entries);
  const small: TreeLimits = { maxFileBytes: 100, maxFiles: 3, maxTotalBytes: 250 };

  it('refuses a ".." segment, naming the entry from the root', async () => {
    expect(await refusal(files({ 'ok.yaml': 'o\n', 'apps/../../etc/cron.yaml': 'x\n' }))).toMatch(/^apps\/\.\.: /);
  });

  it('refuses an absolute-looking name', async () => {
    const sha = get().commitRaw('main', [{ name: 'ok.yaml', content: 'o\n' }, { name: '/etc/passwd', content: 'root\n' }]);
    expect(await refusal(sha)).toMatch(/^\/etc\/passwd: absolute paths/);
  });

  it('refuses ".git" entries in any case', async () => {
    expect(await refusal(files({ '.git/config': '[core]\n' }))).toMatch(/^\.git: /);
    expect(await refusal(files({ 'apps/.GIT/hooks/post-checkout': '#!/bin/sh\n' }))).toMatch(/^apps\/\.GIT: /);
  });

  it('refuses symbolic links and submodules', async () => {
    expect(await refusal(files({ 'a.yaml': 'a\n', 'links/passwd': { symlink: '/etc/passwd' } }))).toMatch(/^links\/passwd: symbolic links/);
    expect(await refusal(files({ 'mods/lib': { submodule: 'a'.repeat(40) } }))).toMatch(/^mods\/lib: submodules/);
  });

  it('refuses a file over the size limit, too many files and too many bytes', async () => {
    expect(await refusal(files({ 'a.yaml': 'a\n', 'big.bin': new Uint8Array(101) }), small)).toMatch(/^big\.bin: file is 101 bytes/);
    const four = { 'a.yaml': 'a', 'b.yaml': 'b', 'c.yaml': 'c', 'd.yaml': 'd' };
    expect(await refusal(files(four), small)).toMatch(/^d\.yaml: the revision has more than 3 files/);
    const heavy = { 'a.bin': new Uint8Array(100), 'b.bin': new Uint8Array(100), 'c.bin': new Uint8Array(51) };
    expect(await refusal(files(heavy), small)).toMatch(/^c\.bin: the revision's files add up to more than 250 bytes/);
  });

  it('accepts a tree exactly at the limits, and reads a clean subtree next to a hostile one', async () => {
    const sha = await files({ 'a.bin': new Uint8Array(100), 'b.bin': new Uint8Array(100), 'c.bin': new Uint8Array(50) });
    await get().source.fetchBranchHead('main');
    expect((await get().source.readTree(sha, '', small)).size).toBe(3);
    const mixed = await files({ 'ok/a.yaml': 'a\n', 'bad/link': { symlink: '../ok/a.yaml' } });
    await get().source.fetchBranchHead('main');
    expect(text(await get().source.readTree(mixed, 'ok'))).toEqual({ 'a.yaml': 'a\n' });
    expect((await expectKind(get().source.readTree(mixed, 'bad'), 'validation')).message).toMatch(/^bad\/link: /);
  });
}

function text(tree: FileTree): Record<string, string> {
  return Object.fromEntries([...tree].map(([path, bytes]) => [path, new TextDecoder().decode(bytes)]));
}

export async function expectKind(promise: Promise<unknown>, kind: ErrorKind): Promise<Error> {
  const error = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(isFleetError(error, kind), `expected a FleetError of kind ${kind}, got ${String(error)}`).toBe(true);
  return error as Error;
}
