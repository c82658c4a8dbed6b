/**
 * Field selectors (`metadata.name=web,status.phase!=Running`). The real server supports a few
 * fields per kind; here any dotted path is compared as a string, which accepts every selector
 * the server would (kubectl's delete waits on `metadata.name`, describe lists events by
 * `involvedObject.*`) and a few it would refuse. Pure.
 */
import type { KubeObject } from '../../../agent/src/core/kube-object.js';

interface FieldRequirement {
  path: string[];
  equal: boolean;
  value: string;
}

export type FieldSelectorResult = { ok: true; matches: (object: KubeObject) => boolean } | { ok: false; error: string };

const FIELD = /^[A-Za-z][A-Za-z0-9]*(\.[A-Za-z][A-Za-z0-9]*)*$/;

export function parseFieldSelector(input: string): FieldSelectorResult {
  const requirements: FieldRequirement[] = [];
  for (const part of input.split(',').map((p) => p.trim()).filter((p) => p !== '')) {
    const match = /^([^=!]+?)\s*(==|=|!=)\s*(.*)$/.exec(part);
    const field = match?.[1] ?? '';
    if (match === null || !FIELD.test(field)) return { ok: false, error: `invalid field selector: '${input}'; can't understand '${part}'` };
    requirements.push({ path: field.split('.'), equal: match[2] !== '!=', value: match[3] ?? '' });
  }
  return {
    ok: true,
    matches: (object) => requirements.every(({ path, equal, value }) => (stringAt(object, path) === value) === equal),
  };
}

function stringAt(object: unknown, path: string[]): string {
  let current: unknown = object;
  for (const key of path) {
    if (typeof current !== 'object' || current === null || Array.isArray(current)) return '';
    current = (current as Record<string, unknown>)[key];
  }
  return typeof current === 'string' || typeof current === 'number' || typeof current === 'boolean' ? String(current) : '';
}
