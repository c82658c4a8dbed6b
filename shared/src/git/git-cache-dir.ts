/**
 * The bare git directory a Git source fetches into: only a cache. A cache that cannot be read is
 * deleted, to be rebuilt by the next fetch; past a number of packfiles they are compacted into
 * one; and isomorphic-git's parsed-object cache is dropped whenever the packs change.
 */
import * as fs from 'node:fs';
import { rm } from 'node:fs/promises';
import { Errors, getConfig, init, resolveRef, setConfig } from 'isomorphic-git';
import type { Logger } from 'pino';
import { describeError, FleetError } from '../errors.js';
import { withCacheObjects } from './pack/cache-objects.js';
import type { CacheObjects } from './pack/cache-objects.js';
import { cachedHeads, compactPacks, countPacks, readShallow } from './pack/compact-packs.js';
import { directoryBytes } from './pack/directory-bytes.js';
import { storeReceivedPack } from './pack/pack-indexer.js';
import { FULL_SHA } from './tree-path.js';

export const REMOTE = 'origin';

export class GitCacheDir {
  /** isomorphic-git's object cache (parsed pack indexes, pack contents); replaced when packs are. */
  cache: object = {};
  /** Pack files whose checksums were checked (by `PackSet`, or as they were indexed). */
  private verifiedPacks = new Set<string>();

  constructor(
    readonly gitdir: string,
    private readonly safeUrl: string,
    private readonly logger: Logger,
  ) {}

  /** Runs `work` with readers over the cache's packs, released when it settles. */
  objects<T>(work: (objects: CacheObjects) => Promise<T>): Promise<T> {
    return withCacheObjects(this.state(), work);
  }

  bytes(): Promise<number> {
    return directoryBytes(this.gitdir);
  }

  private state(): { gitdir: string; verifiedPacks: Set<string>; cache: object } {
    return { gitdir: this.gitdir, verifiedPacks: this.verifiedPacks, cache: this.cache };
  }

  /** Indexes and stores a pack taken from isomorphic-git's fetch (which has written refs and `shallow` already). */
  async storePack(pack: Buffer): Promise<void> {
    const stored = await this.objects(({ objects }) =>
      // Only a thin pack has bases outside itself; isomorphic-git does not ask for thin packs.
      storeReceivedPack(this.gitdir, pack, (oid) =>
        objects.read(oid).catch((error: unknown) => {
          if (error instanceof Errors.NotFoundError) return undefined;
          throw error;
        }),
      ),
    );
    // Its checksum was checked as it was indexed.
    if (stored !== undefined) this.verifiedPacks.add(stored);
  }

  /** The head of the last fetch of `branch` if its commit is still in the cache. */
  async cachedHead(branch: string): Promise<string | undefined> {
    let oid: string;
    try {
      oid = await resolveRef({ fs, gitdir: this.gitdir, ref: `refs/remotes/${REMOTE}/${branch}` });
    } catch {
      return undefined;
    }
    return (await this.hasCommit(oid)) ? oid : undefined;
  }

  /** Whether the commit is in the cache. A cache that cannot be read is deleted, for the next fetch to rebuild. */
  async hasCommit(oid: string): Promise<boolean> {
    try {
      return await this.objects(async ({ objects }) => (await objects.read(oid)).type === 'commit');
    } catch (error) {
      if (!(error instanceof Errors.NotFoundError)) {
        await this.wipe(error);
        await this.prepare();
      }
      return false;
    }
  }

  /** (Re)creates the cache directory if it was deleted; the URL stays out of its config. */
  async prepare(): Promise<void> {
    // A torn `shallow` file would be sent to the server as garbage on every fetch.
    if ([...(await readShallow(this.gitdir))].some((line) => !FULL_SHA.test(line))) {
      await this.wipe(new Error('malformed shallow file'));
    }
    await init({ fs, gitdir: this.gitdir, bare: true });
    const key = `remote.${REMOTE}.fetch`;
    if ((await getConfig({ fs, gitdir: this.gitdir, path: key })) === undefined) {
      await setConfig({ fs, gitdir: this.gitdir, path: key, value: `+refs/heads/*:refs/remotes/${REMOTE}/*` });
    }
  }

  async wipe(cause: unknown): Promise<void> {
    this.logger.warn({ dir: this.gitdir, error: describeError(cause) }, 'git cache unreadable; deleting it to fetch again');
    this.cache = {};
    this.verifiedPacks = new Set();
    await rm(this.gitdir, { recursive: true, force: true });
  }

  /** A failed read: an object that is not there, or a cache that cannot be read (then deleted). */
  async readError(error: unknown, commit: string, options: { damaged?: boolean } = {}): Promise<FleetError> {
    if (error instanceof Errors.NotFoundError && !options.damaged) {
      return new FleetError('not-found', `commit ${commit} is not in the fetched objects of ${this.safeUrl}`, { cause: error });
    }
    await this.wipe(error);
    return new FleetError(
      'transient',
      `the git cache ${this.gitdir} could not be read (${describeError(error)}); it was deleted and the next fetch rebuilds it`,
      { cause: error },
    );
  }

  async compactIfNeeded(maxPacks: number): Promise<void> {
    const packs = await countPacks(this.gitdir);
    if (packs <= maxPacks) return;
    let compacted: string | undefined;
    try {
      const heads = await cachedHeads(this.gitdir, REMOTE);
      const result = await this.objects(({ objects }) => compactPacks(this.gitdir, heads, objects));
      compacted = result.packFile;
      this.logger.debug({ dir: this.gitdir, ...result }, 'compacted packfiles');
    } catch (error) {
      // The old packs are still in place: the cache stays usable, only larger.
      this.logger.warn({ dir: this.gitdir, packs, error: describeError(error) }, 'could not compact packfiles');
    } finally {
      // Drops the parsed indexes and contents of the packs that are gone.
      this.cache = {};
      this.verifiedPacks = new Set(compacted === undefined ? [] : [compacted]);
    }
  }
}
