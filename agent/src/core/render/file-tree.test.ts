import { describe, expect, it } from 'vitest';
import { subtree } from './file-tree.js';

const tree = new Map(['apps/web/a.yaml', 'apps/web/sub/b.yaml', 'apps/webshop/c.yaml', 'root.yaml'].map((p) => [p, new Uint8Array([1])]));

describe('subtree', () => {
  it('selects a folder, keyed relative to it, without its namesake siblings', () => {
    expect([...subtree(tree, 'apps/web').keys()]).toEqual(['a.yaml', 'sub/b.yaml']);
    expect([...subtree(tree, './apps/web/').keys()]).toEqual(['a.yaml', 'sub/b.yaml']);
  });

  it('is the whole tree for the root', () => {
    expect(subtree(tree, '')).toBe(tree);
    expect(subtree(tree, '.').size).toBe(4);
  });
});
