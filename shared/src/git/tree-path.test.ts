import { describe, expect, it } from 'vitest';
import { leavesTree, normalizeTreePath, treePath } from './tree-path.js';

describe('treePath', () => {
  it.each([
    // [parts, normal form]
    [[''], ''],
    [['.'], ''],
    [['./'], ''],
    [['/'], ''],
    [['apps/web'], 'apps/web'],
    [['./apps/web/'], 'apps/web'],
    [['apps//web/./'], 'apps/web'],
    [['/apps/web'], 'apps/web'],
    [['apps/web/..'], 'apps'],
    [['apps/../..'], '..'],
    [['../base'], '../base'],
    [['a/../../b/../c'], '../c'],
    [['..', '..', 'x'], '../../x'],
    [['', 'fleet.yaml'], 'fleet.yaml'],
    [['apps/web', 'fleet.yaml'], 'apps/web/fleet.yaml'],
    [['apps/web', '../base'], 'apps/base'],
    [['apps/web', './patch.yaml'], 'apps/web/patch.yaml'],
    [['apps/web', 'patch.yaml/'], 'apps/web/patch.yaml'],
    [['apps/web', '.'], 'apps/web'],
    [['apps', '../..'], '..'],
    [['a b/c\\d'], 'a b/c\\d'],
  ])('%j is %j', (parts, expected) => {
    expect(treePath(...parts)).toBe(expected);
  });

  it.each([
    ['', false],
    ['apps', false],
    ['..', true],
    ['../x', true],
    ['..x', false],
    ['x/..y', false],
  ])('%j leaves the tree: %s', (path, leaves) => {
    expect(leavesTree(path)).toBe(leaves);
  });
});

describe('normalizeTreePath', () => {
  it.each([
    ['', ''],
    ['/', ''],
    ['./apps/web/', 'apps/web'],
    ['apps//web', 'apps/web'],
  ])('%j is %j', (path, expected) => {
    expect(normalizeTreePath(path)).toBe(expected);
  });

  it.each([
    ['/etc/passwd', /relative POSIX path/],
    ['a\0b', /relative POSIX path/],
    ['a\\b', /relative POSIX path/],
    ['../x', /'\.\.' is not allowed/],
    ['a/../b', /'\.\.' is not allowed/],
  ])('refuses %j', (path, message) => {
    expect(() => normalizeTreePath(path)).toThrow(message);
  });
});
