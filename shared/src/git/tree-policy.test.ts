import { describe, expect, it } from 'vitest';
import { checkTree } from './tree-policy.js';
import type { TreeEntry } from './tree-policy.js';

const file = (path: string, size = 10): TreeEntry => ({ path, kind: 'blob', size });
const limits = { maxFileBytes: 100, maxFiles: 3, maxTotalBytes: 250 };

describe('checkTree', () => {
  it('accepts an ordinary tree', () => {
    expect(checkTree([{ path: 'apps', kind: 'tree', size: 0 }, file('apps/a.yaml'), file('apps/b.yaml')], limits)).toBeUndefined();
  });

  it.each([
    ['../escape.yaml', /"\.\."/],
    ['apps/../../etc/passwd', /"\.\."/],
    ['/etc/passwd', /absolute/],
    ['C:/windows', /absolute/],
    ['apps/.git/config', /\.git/],
    ['.GIT/hooks/post-checkout', /\.git/],
    ['apps//a.yaml', /empty/],
    ['apps/./a.yaml', /empty or "\."/],
    ['apps\\a.yaml', /backslash/],
    ['apps/a\u0007.yaml', /control/],
  ])('refuses the path %j', (path, message) => {
    expect(checkTree([file(path)], limits)).toEqual({ path, message: expect.stringMatching(message) });
  });

  it('refuses links and submodules by name', () => {
    expect(checkTree([{ path: 'apps/link', kind: 'symlink', size: 0 }], limits)).toMatchObject({ path: 'apps/link', message: /symbolic link/ });
    expect(checkTree([{ path: 'vendor/x', kind: 'submodule', size: 0 }], limits)).toMatchObject({ path: 'vendor/x', message: /submodule/ });
  });

  it('enforces the size of a file, the number of files and the total', () => {
    expect(checkTree([file('big.bin', 101)], limits)).toMatchObject({ path: 'big.bin', message: /101 bytes/ });
    expect(checkTree([file('a'), file('b'), file('c'), file('d')], limits)).toMatchObject({ path: 'd', message: /more than 3 files/ });
    expect(checkTree([file('a', 100), file('b', 100), file('c', 100)], limits)).toMatchObject({ path: 'c', message: /add up/ });
  });
});
