import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';

/** The sum of the sizes of the regular files under `dir` (0 if it does not exist); links are not followed. */
export async function directoryBytes(dir: string): Promise<number> {
  let total = 0;
  const pending = [dir];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    let entries;
    try {
      entries = await readdir(next, { withFileTypes: true });
    } catch {
      continue;
    }
    for (const entry of entries) {
      const path = join(next, entry.name);
      if (entry.isDirectory()) pending.push(path);
      else if (entry.isFile()) total += await lstat(path).then((stats) => stats.size, () => 0);
    }
  }
  return total;
}
