import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isFleetError } from '../shared/src/errors.js';
import type { ErrorKind } from '../shared/src/errors.js';
import type { FileTree, GitSource } from '../agent/src/ports/git-source.js';

export interface GitSourceFixture {
  source: GitSource;
  /** Commits on the remote a tree that is exactly `files`; returns the commit's SHA. */
  commit(branch: string, files: Record<string, string>): Promise<string>;
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

    const text = (tree: FileTree): Record<string, string> =>
      Object.fromEntries([...tree].map(([path, bytes]) => [path, new TextDecoder().decode(bytes)]));

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
  });
}

export async function expectKind(promise: Promise<unknown>, kind: ErrorKind): Promise<Error> {
  const error = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(isFleetError(error, kind), `expected a FleetError of kind ${kind}, got ${String(error)}`).toBe(true);
  return error as Error;
}
