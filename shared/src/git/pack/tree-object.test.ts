import { describe, expect, it } from 'vitest';
import { parseTreeObject } from './tree-object.js';

/** Builds tree object content from `[mode, name, oid]` triples, names byte for byte. */
function treeBytes(entries: Array<[string, string, string]>): Uint8Array {
  return Buffer.concat(entries.flatMap(([mode, name, oid]) => [Buffer.from(`${mode} ${name}\0`), Buffer.from(oid, 'hex')]));
}

describe('parseTreeObject', () => {
  it('returns every entry with its kind, hostile names included', () => {
    const oid = 'ab'.repeat(20);
    const entries = parseTreeObject(
      treeBytes([
        ['40000', '..', oid],
        ['100644', '/etc/passwd', oid],
        ['100755', 'run.sh', oid],
        ['120000', 'link', oid],
        ['160000', 'module', oid],
        ['100664', 'legacy', oid],
        ['100600', 'odd', oid],
        ['100644', 'naïve.yaml', oid],
      ]),
    );
    expect(entries.map(({ name, kind }) => `${kind} ${name}`)).toEqual([
      'tree ..',
      'blob /etc/passwd',
      'blob run.sh',
      'symlink link',
      'submodule module',
      'blob legacy',
      'other odd',
      'blob naïve.yaml',
    ]);
    expect(entries.every((entry) => entry.oid === oid)).toBe(true);
  });

  it('returns nothing for the empty tree and refuses a truncated one', () => {
    expect(parseTreeObject(new Uint8Array())).toEqual([]);
    const whole = treeBytes([['100644', 'a', 'cd'.repeat(20)]]);
    expect(() => parseTreeObject(whole.subarray(0, whole.length - 1))).toThrow(/truncated entry at byte 0/);
  });
});
