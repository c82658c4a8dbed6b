/**
 * Sets of field paths, the unit of ownership in server-side apply, and their wire form FieldsV1
 * (`{"f:spec":{"f:replicas":{}}}`). Pure.
 */
import { canonicalJson } from '../../../shared/src/protocol/canonical-json.js';
import { isKeyElement, isObject, mergeKeyOf } from './field-path.js';
import type { FieldPath, PathElement, Scalar } from './field-path.js';

export class FieldSet {
  private readonly members = new Map<string, FieldPath>();

  constructor(paths: Iterable<FieldPath> = []) {
    for (const path of paths) this.add(path);
  }

  add(path: FieldPath): void {
    this.members.set(canonicalJson(path), path);
  }

  has(path: FieldPath): boolean {
    return this.members.has(canonicalJson(path));
  }

  delete(path: FieldPath): void {
    this.members.delete(canonicalJson(path));
  }

  get size(): number {
    return this.members.size;
  }

  paths(): FieldPath[] {
    return [...this.members.values()];
  }

  union(other: FieldSet): FieldSet {
    return new FieldSet([...this.paths(), ...other.paths()]);
  }

  difference(other: FieldSet): FieldSet {
    return new FieldSet(this.paths().filter((p) => !other.has(p)));
  }

  equals(other: FieldSet): boolean {
    return this.size === other.size && this.paths().every((p) => other.has(p));
  }
}

/** Server-set metadata: identity and bookkeeping that no manager owns. */
const UNOWNED_METADATA = new Set([
  'name',
  'namespace',
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'managedFields',
  'selfLink',
]);

/**
 * The fields an object (an applied configuration, or a whole object) sets: every leaf, every
 * empty map or list, and every item of a keyed list. `apiVersion`, `kind`, `status` and
 * server-set metadata are not fields anyone owns through the main resource (`statusOnly` gives
 * the fields of `status`, which is what a status subresource write owns).
 */
export function fieldsOf(object: Record<string, unknown>, options: { keyedLists: boolean; statusOnly?: boolean }): FieldSet {
  const set = new FieldSet();
  const walk = (value: unknown, path: PathElement[], name: string | undefined): void => {
    if (isObject(value)) {
      const keys = Object.keys(value);
      if (keys.length === 0) set.add(path);
      for (const key of keys) walk(value[key], [...path, { field: key }], key);
      return;
    }
    if (Array.isArray(value) && options.keyedLists) {
      const mergeKey = mergeKeyOf(name, value);
      if (mergeKey !== undefined) {
        for (const item of value as Record<string, unknown>[]) {
          const itemPath = [...path, { key: { [mergeKey]: item[mergeKey] as Scalar } }];
          set.add(itemPath);
          for (const key of Object.keys(item)) walk(item[key], [...itemPath, { field: key }], key);
        }
        return;
      }
    }
    set.add(path);
  };
  // Through the status subresource, status is all there is to own.
  if (options.statusOnly === true) {
    if (object['status'] !== undefined) walk(object['status'], [{ field: 'status' }], 'status');
    return set;
  }
  for (const [key, value] of Object.entries(object)) {
    if (key === 'apiVersion' || key === 'kind' || key === 'status') continue;
    if (key === 'metadata' && isObject(value)) {
      for (const [metaKey, metaValue] of Object.entries(value)) {
        if (!UNOWNED_METADATA.has(metaKey)) walk(metaValue, [{ field: 'metadata' }, { field: metaKey }], metaKey);
      }
      continue;
    }
    walk(value, [{ field: key }], key);
  }
  return set;
}

const elementKey = (el: PathElement): string => (isKeyElement(el) ? `k:${canonicalJson(el.key)}` : `f:${el.field}`);

export function toFieldsV1(set: FieldSet): Record<string, unknown> {
  type Node = { children: Map<string, Node>; member: boolean };
  const root: Node = { children: new Map(), member: false };
  for (const path of set.paths()) {
    let node = root;
    for (const el of path) {
      const key = elementKey(el);
      let child = node.children.get(key);
      if (child === undefined) {
        child = { children: new Map(), member: false };
        node.children.set(key, child);
      }
      node = child;
    }
    node.member = true;
  }
  const render = (node: Node): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    // A member that also has owned children marks itself with ".", as the API server does.
    if (node.member && node.children.size > 0) out['.'] = {};
    for (const key of [...node.children.keys()].sort()) out[key] = render(node.children.get(key) as Node);
    return out;
  };
  return render(root);
}

/**
 * Reads FieldsV1. Elements this model does not produce (`v:` set values, `i:` indices) make
 * their parent an atomic member, which is the safe reading for ownership.
 */
export function fromFieldsV1(fields: unknown): FieldSet {
  const set = new FieldSet();
  const walk = (node: unknown, path: PathElement[]): void => {
    const entries = isObject(node) ? Object.entries(node) : [];
    if (entries.length === 0) {
      if (path.length > 0) set.add(path);
      return;
    }
    for (const [key, child] of entries) {
      if (key === '.') {
        set.add(path);
      } else if (key.startsWith('f:')) {
        walk(child, [...path, { field: key.slice(2) }]);
      } else if (key.startsWith('k:')) {
        const parsed: unknown = parseJson(key.slice(2));
        if (isObject(parsed)) walk(child, [...path, { key: parsed as Record<string, Scalar> }]);
        else if (path.length > 0) set.add(path);
      } else if (path.length > 0) {
        set.add(path);
      }
    }
  };
  walk(fields, []);
  return set;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
