/**
 * Field selectors, limited to what every kind supports on a real server: `metadata.name` and
 * `metadata.namespace` with `=`, `==` and `!=`. kubectl uses them to wait for a deletion. Pure.
 */
import type { KubeObject } from '../../../agent/src/ports/kube.js';

interface FieldRequirement {
  field: 'metadata.name' | 'metadata.namespace';
  equal: boolean;
  value: string;
}

export type FieldSelectorResult = { ok: true; matches: (object: KubeObject) => boolean } | { ok: false; error: string };

export function parseFieldSelector(input: string): FieldSelectorResult {
  const requirements: FieldRequirement[] = [];
  for (const part of input.split(',').map((p) => p.trim()).filter((p) => p !== '')) {
    const match = /^([^=!]+?)\s*(==|=|!=)\s*(.*)$/.exec(part);
    if (match === null) return { ok: false, error: `invalid selector: '${input}'; can't understand '${part}'` };
    const [, field = '', op, value = ''] = match;
    if (field !== 'metadata.name' && field !== 'metadata.namespace') {
      return { ok: false, error: `field label not supported: ${field}` };
    }
    requirements.push({ field, equal: op !== '!=', value });
  }
  return {
    ok: true,
    matches: (object) =>
      requirements.every(({ field, equal, value }) => {
        const actual = field === 'metadata.name' ? object.metadata.name : (object.metadata.namespace ?? '');
        return (actual === value) === equal;
      }),
  };
}
