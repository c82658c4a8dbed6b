import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { commitFiles, createBareRepo, isolatedGitEnv, runGit } from '../../simulators/src/git-server/fixtures.js';
import { makeTempDir } from '../support/temp-dir.js';
import { parseEntryHeader, PackEntryType } from '../../shared/src/git/pack/pack-entry.js';
import { indexPack } from '../../shared/src/git/pack/pack-indexer.js';
import type { GitObject } from '../../shared/src/git/pack/packed-objects.js';

describe('indexPack', () => {
  let temp: ReturnType<typeof makeTempDir>;
  let repo: string;
  beforeEach(async () => {
    temp = makeTempDir('pack-indexer');
    repo = await createBareRepo(temp.dir, 'repo.git');
  });
  afterEach(() => temp.remove());

  const noExternal = async (): Promise<undefined> => undefined;

  /** Commits of a large text file, each a small edit of the one before, so that packs hold delta chains. */
  const history = async (count: number): Promise<string[]> => {
    const lines = Array.from({ length: 1500 }, () => randomBytes(24).toString('base64'));
    const commits: string[] = [];
    for (let i = 0; i < count; i++) {
      lines[(i * 97) % lines.length] = `edited in commit ${i}`;
      commits.push(await commitFiles(repo, { branch: 'main', files: { 'big.txt': lines.join('\n'), [`dir-${i % 3}/small-${i}`]: `${i}\n` } }));
    }
    return commits;
  };

  /** Runs `git pack-objects` on `revisions` (rev-list syntax); returns the pack and the index git wrote for it. */
  const gitPack = async (revisions: string, options: string[] = []): Promise<{ pack: Buffer; idx: Buffer; idxFile: string }> => {
    const base = join(temp.dir, `pack-${packs++}`);
    const name = (await runGit(['--git-dir', repo, 'pack-objects', '--revs', ...options, base], { input: `${revisions}\n` })).trim();
    const idxFile = `${base}-${name}.idx`;
    return { pack: readFileSync(`${base}-${name}.pack`), idx: readFileSync(idxFile), idxFile };
  };
  let packs = 0;

  it('writes the index git writes for the same pack, byte for byte, deltas included', async () => {
    await history(8);
    const { pack, idx, idxFile } = await gitPack('main', ['--delta-base-offset']);
    const indexed = await indexPack(pack, noExternal);
    expect(indexed.objects).toBe(idx.readUInt32BE(8 + 255 * 4));
    expect(indexed.checksum.equals(pack.subarray(-20))).toBe(true);
    expect(indexed.idx.equals(idx)).toBe(true);
    // The pack must have held deltas, or this compared only half of the indexer.
    const verified = await runGit(['verify-pack', '-v', idxFile]);
    expect(verified).toMatch(/chain length = [2-9]/);
  });

  it('resolves REF_DELTA entries, and the bases of a thin pack through the caller', async () => {
    const commits = await history(4);
    // Without --delta-base-offset, git writes every delta as a REF_DELTA.
    const full = await gitPack('main', ['--no-reuse-delta']);
    const offsets = (await runGit(['show-index'], { input: full.idx })).trim().split('\n').map((line) => Number(line.split(' ')[0]));
    const refDeltas = offsets.filter((offset) => parseEntryHeader(full.pack, offset).type === PackEntryType.refDelta);
    expect(refDeltas.length).toBeGreaterThanOrEqual(3);
    expect((await indexPack(full.pack, noExternal)).idx.equals(full.idx)).toBe(true);

    // A thin pack of the last commit against the one before: its deltas' bases are not in it.
    const thin = await runGitBuffer(repo, ['pack-objects', '--revs', '--thin', '--delta-base-offset', '--stdout'], `${commits[3]}\n^${commits[2]}\n`);
    const asked: string[] = [];
    const external = async (oid: string): Promise<GitObject | undefined> => {
      asked.push(oid);
      const type = (await runGit(['--git-dir', repo, 'cat-file', '-t', oid])).trim();
      return { type, content: await runGitBuffer(repo, ['cat-file', type, oid], '') };
    };
    await expect(indexPack(thin, noExternal)).rejects.toThrow(/delta base is in neither the pack nor the cache/);
    const indexed = await indexPack(thin, external);
    expect(asked.length).toBeGreaterThan(0);
    expect(indexed.objects).toBe(thin.readUInt32BE(8));
  });

  it('refuses a pack whose checksum or entries are damaged', async () => {
    await history(2);
    const { pack } = await gitPack('main');
    const flipped = Buffer.from(pack);
    flipped[100] = (flipped[100] ?? 0) ^ 0xff;
    await expect(indexPack(flipped, noExternal)).rejects.toThrow(/does not match its checksum/);
    await expect(indexPack(Buffer.from('not a pack at all, not at all'), noExternal)).rejects.toThrow(/malformed/);
    await expect(indexPack(pack.subarray(0, pack.length - 40), noExternal)).rejects.toThrow(/damaged/);
  });
});

/** Native git's standard output as bytes (`runGit` decodes it as UTF-8, which would mangle a pack). */
function runGitBuffer(repo: string, args: string[], input: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', ['--git-dir', repo, ...args], { env: isolatedGitEnv(), stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', reject);
    // git may exit before reading all of its input; its exit status says what happened.
    child.stdin.on('error', () => undefined);
    child.on('close', (code) => (code === 0 ? resolve(Buffer.concat(out)) : reject(new Error(Buffer.concat(err).toString()))));
    child.stdin.end(input);
  });
}
