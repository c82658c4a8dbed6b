import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { branchHead, commitDirectory, commitFiles, commitRawTree, createBareRepo, runGit } from './fixtures.js';

describe('git fixtures', () => {
  let dir: string;
  let repo: string;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'git-fixtures-'));
    repo = await createBareRepo(dir, 'fleet.git', { branch: 'trunk' });
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** `mode path` for every entry of the branch's tree, sorted. */
  const listing = async (ref = 'trunk'): Promise<string[]> =>
    (await runGit(['--git-dir', repo, 'ls-tree', '-r', '--format=%(objectmode) %(path)', ref])).trim().split('\n').filter(Boolean);

  it('creates a bare repository with the requested initial branch', async () => {
    expect((await runGit(['--git-dir', repo, 'symbolic-ref', 'HEAD'])).trim()).toBe('refs/heads/trunk');
    expect(await branchHead(repo, 'trunk')).toBeUndefined();
  });

  it('commits on top of the parent, deletes with null and replaces the whole tree', async () => {
    const first = await commitFiles(repo, { branch: 'trunk', files: { 'a.txt': 'a', 'd/b.txt': new Uint8Array([0, 1, 2]) } });
    const second = await commitFiles(repo, { branch: 'trunk', message: 'two', files: { 'a.txt': null, 'c.txt': 'c' } });
    expect((await runGit(['--git-dir', repo, 'rev-parse', `${second}^`])).trim()).toBe(first);
    expect(await listing()).toEqual(['100644 c.txt', '100644 d/b.txt']);
    await commitFiles(repo, { branch: 'trunk', files: { 'only.txt': 'x' }, replace: true });
    expect(await listing()).toEqual(['100644 only.txt']);
    expect(await runGit(['--git-dir', repo, 'cat-file', 'blob', `${first}:d/b.txt`])).toBe('\0\x01\x02');
  });

  it('gives the same SHA for the same content and date', async () => {
    const date = new Date('2026-01-01T00:00:00Z');
    const other = await createBareRepo(dir, 'other.git', { branch: 'trunk' });
    const options = { branch: 'trunk', message: 'fixed', files: { 'f.yaml': 'x: 1\n' }, date };
    expect(await commitFiles(repo, options)).toBe(await commitFiles(other, options));
  });

  it('commits a directory under a target path, replacing what was there', async () => {
    await commitFiles(repo, { branch: 'trunk', files: { 'deploy/old.yaml': 'old', 'keep.md': 'k' } });
    const source = join(dir, 'src');
    mkdirSync(join(source, 'base'), { recursive: true });
    mkdirSync(join(source, '.git'));
    writeFileSync(join(source, '.git', 'config'), 'ignored');
    writeFileSync(join(source, 'base', 'app.yaml'), 'kind: ConfigMap\n');
    writeFileSync(join(source, 'run.sh'), '#!/bin/sh\n');
    chmodSync(join(source, 'run.sh'), 0o755);
    symlinkSync('base/app.yaml', join(source, 'link.yaml'));
    const sha = await commitDirectory(repo, { branch: 'trunk', sourceDir: source, targetPath: 'deploy' });
    expect(await branchHead(repo, 'trunk')).toBe(sha);
    expect(await listing()).toEqual([
      '100644 deploy/base/app.yaml',
      '120000 deploy/link.yaml',
      '100755 deploy/run.sh',
      '100644 keep.md',
    ]);
  });

  it('writes raw trees with names git itself refuses, on top of the branch head', async () => {
    const parent = await commitFiles(repo, { branch: 'trunk', files: { 'a.txt': 'a' } });
    const sha = await commitRawTree(repo, {
      branch: 'trunk',
      entries: [
        { name: '/etc/passwd', content: 'root' },
        { name: 'dir', tree: [{ name: '..', content: 'up' }, { name: 'link', content: '/etc', mode: '120000' }] },
      ],
    });
    expect(await branchHead(repo, 'trunk')).toBe(sha);
    expect((await runGit(['--git-dir', repo, 'rev-parse', `${sha}^`])).trim()).toBe(parent);
    expect(await listing()).toEqual(['100644 /etc/passwd', '100644 dir/..', '120000 dir/link']);
  });
});
