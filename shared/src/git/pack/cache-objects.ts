import * as fs from 'node:fs';
import { readObject } from 'isomorphic-git';
import { ObjectSizes } from './object-sizes.js';
import { PackedObjects } from './packed-objects.js';
import { PackSet } from './pack-set.js';

/** Objects and their sizes in a cache directory, for one operation. */
export interface CacheObjects {
  objects: PackedObjects;
  sizes: ObjectSizes;
}

/**
 * Runs `work` with a reader of the cache directory's objects: packed ones read directly
 * (`PackedObjects`), loose ones through isomorphic-git (whose NotFoundError a missing object
 * throws). The packs' file handles and read windows are released when `work` settles.
 */
export async function withCacheObjects<T>(
  cacheDir: { gitdir: string; verifiedPacks: Set<string>; cache: object },
  work: (reader: CacheObjects) => Promise<T>,
): Promise<T> {
  const { gitdir, verifiedPacks, cache } = cacheDir;
  const packs = new PackSet(gitdir, verifiedPacks);
  const objects = new PackedObjects(packs, async (oid) => {
    const { type, object } = await readObject({ fs, cache, gitdir, oid, format: 'content' });
    return { type, content: Buffer.from(object as Uint8Array) };
  });
  try {
    return await work({ objects, sizes: new ObjectSizes(gitdir, packs) });
  } finally {
    await packs.close();
  }
}
