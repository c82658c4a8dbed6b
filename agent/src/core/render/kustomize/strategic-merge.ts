/**
 * Strategic merge patches as kubectl kustomize v5.5 applies them (its kyaml merge, which differs
 * from the API server's in list order): maps merge, `null` removes a field, lists merge by their
 * keys where the schema has them and are replaced otherwise; `$patch: delete` on a map or list
 * item, `$patch: replace` on a map or as a list's first item. Pure; inputs are never changed.
 */
import type { KubeObject } from '../../kube-object.js';
import { fieldRule, schemaTypeOf, type FieldRule, type TypeName } from './merge-schema.js';

export class StrategicMergeError extends Error {
  override readonly name = 'StrategicMergeError';
}

type Json = Record<string, unknown>;

const DELETED = Symbol('deleted');

/** The patched object, or `undefined` when the patch deletes it (`$patch: delete` at the top). */
export function applyStrategicMerge(object: KubeObject, patch: Json): KubeObject | undefined {
  const merged = mergeMap(object, patch, schemaTypeOf(object.apiVersion, object.kind), '');
  if (merged === DELETED) return undefined;
  // The target's identity stays: a patch with a target may name another object, and kustomize
  // applies it to the target regardless.
  const metadata: Json = { ...(isMap(merged['metadata']) ? merged['metadata'] : {}), name: object.metadata.name };
  if (object.metadata.namespace === undefined) delete metadata['namespace'];
  else metadata['namespace'] = object.metadata.namespace;
  return { ...merged, apiVersion: object.apiVersion, kind: object.kind, metadata } as KubeObject;
}

function mergeMap(dest: Json | undefined, patch: Json, type: TypeName | undefined, path: string): Json | typeof DELETED {
  const directive = patch['$patch'];
  if (directive === 'delete') return DELETED;
  if (directive === 'replace') {
    const { $patch: _replace, ...rest } = patch;
    return mergeMap(undefined, rest, type, path);
  }
  if (directive !== undefined) throw new StrategicMergeError(`${path || '/'}: unknown $patch directive ${JSON.stringify(directive)}`);
  const result: Json = { ...dest };
  for (const [key, value] of Object.entries(patch)) {
    const where = `${path}/${key}`;
    if (key.startsWith('$')) throw new StrategicMergeError(`${path || '/'}: the ${key} directive is not supported; write the merged value instead`);
    if (value === null) {
      delete result[key];
      continue;
    }
    const rule = fieldRule(type, key);
    if (rule && 'list' in rule) {
      if (!Array.isArray(value)) throw new StrategicMergeError(`${where} is a list; the patch gives ${describe(value)}`);
      result[key] = rule.list === 'union' ? union(asList(result[key]), value) : mergeKeyedList(asList(result[key]), value, rule, where);
    } else if (isMap(value)) {
      const merged = mergeMap(isMap(result[key]) ? result[key] : undefined, value, rule?.type, where);
      if (merged === DELETED) delete result[key];
      else result[key] = merged;
    } else if (Array.isArray(value)) {
      result[key] = atomicList(value, where);
    } else {
      result[key] = value;
    }
  }
  return result;
}

/** A list the patch replaces whole; map items are cleaned of nulls and directives. */
function atomicList(items: readonly unknown[], path: string): unknown[] {
  return items.flatMap((item, index) => {
    if (!isMap(item)) return [item];
    if (index === 0 && item['$patch'] === 'replace' && Object.keys(item).length === 1) return [];
    const merged = mergeMap(undefined, item, undefined, `${path}/${index}`);
    return merged === DELETED ? [] : [merged];
  });
}

/** Primitive lists with `patchStrategy: merge`: the patch's items, then the others kept. */
function union(dest: readonly unknown[], patch: readonly unknown[]): unknown[] {
  const result = [...new Set(patch)];
  for (const item of dest) if (!result.includes(item)) result.push(item);
  return result;
}

type KeyedRule = Extract<FieldRule, { list: 'merge' }>;

function mergeKeyedList(dest: readonly unknown[], patch: readonly unknown[], rule: KeyedRule, path: string): unknown[] {
  const first = patch[0];
  if (isMap(first) && first['$patch'] === 'replace' && Object.keys(first).length === 1) return atomicList(patch.slice(1), path);
  const items = patch.map((item, index) => {
    if (!isMap(item)) throw new StrategicMergeError(`${path}/${index}: list items here are mappings merged by ${rule.keys.join('/')}`);
    if (item['$patch'] !== undefined && item['$patch'] !== 'delete') {
      // kubectl kustomize leaves the whole list untouched then; refuse rather than guess.
      throw new StrategicMergeError(`${path}/${index}: $patch: ${String(item['$patch'])} is not supported on a list item; use $patch: delete, or replace the list`);
    }
    if (item[rule.keys[0]!] === undefined) {
      throw new StrategicMergeError(`${path}/${index}: the item has no ${rule.keys[0]}, the key this list merges by`);
    }
    return item;
  });
  const secondary = rule.keys.slice(1);
  const usesSecondary = [...dest, ...items].some((item) => isMap(item) && secondary.some((key) => item[key] !== undefined));
  return usesSecondary ? mergeByAllKeys(dest, items, rule, path) : mergeByFirstKey(dest, items, rule, path);
}

/**
 * kustomize rebuilds a list merged by one key in the patch's order: the patch's items (merged
 * with their counterparts), then the items the patch does not mention, in their order.
 */
function mergeByFirstKey(dest: readonly unknown[], patch: readonly Json[], rule: KeyedRule, path: string): unknown[] {
  const key = rule.keys[0]!;
  const mentioned = new Set(patch.map((item) => item[key]));
  const result: unknown[] = [];
  patch.forEach((item, index) => {
    const counterpart = dest.find((candidate) => isMap(candidate) && candidate[key] === item[key]);
    const merged = mergeMap(isMap(counterpart) ? counterpart : undefined, item, rule.item, `${path}/${index}`);
    if (merged !== DELETED) result.push(merged);
  });
  for (const item of dest) if (!isMap(item) || !mentioned.has(item[key])) result.push(item);
  return result;
}

/**
 * Lists keyed by several fields (ports by number and protocol), once any item sets a secondary
 * key: matched items merge in place, new ones go first in the patch's order. A patch item that
 * shares the first key with an item but sets a secondary key the other leaves out (or the other
 * way round) is dropped, as kubectl kustomize drops it.
 */
function mergeByAllKeys(dest: readonly unknown[], patch: readonly Json[], rule: KeyedRule, path: string): unknown[] {
  const [first, ...secondary] = rule.keys as [string, ...string[]];
  const result = [...dest];
  const added: unknown[] = [];
  patch.forEach((item, index) => {
    const at = result.findIndex((candidate) => isMap(candidate) && rule.keys.every((key) => candidate[key] === item[key]));
    if (at >= 0) {
      const merged = mergeMap(result[at] as Json, item, rule.item, `${path}/${index}`);
      if (merged === DELETED) result.splice(at, 1);
      else result[at] = merged;
      return;
    }
    const ambiguous = result.some((candidate) => isMap(candidate) && candidate[first] === item[first] &&
      secondary.some((key) => (candidate[key] === undefined) !== (item[key] === undefined)));
    if (ambiguous) return;
    const merged = mergeMap(undefined, item, rule.item, `${path}/${index}`);
    if (merged !== DELETED) added.push(merged);
  });
  return [...added, ...result];
}

function asList(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function isMap(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  return isMap(value) ? 'a mapping' : JSON.stringify(value);
}
