/**
 * Paths to fields inside a Kubernetes object, as server-side apply tracks them: named fields, and
 * items of keyed lists (`containers[name="web"]`). Reading, removing and printing them. Pure.
 */
import { isDeepStrictEqual } from 'node:util';

export type Scalar = string | number | boolean | null;
export type FieldElement = { readonly field: string };
export type KeyElement = { readonly key: Readonly<Record<string, Scalar>> };
export type PathElement = FieldElement | KeyElement;
export type FieldPath = readonly PathElement[];

export type JsonObject = Record<string, unknown>;

export const isObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const isScalar = (value: unknown): value is Scalar =>
  value === null || ['string', 'number', 'boolean'].includes(typeof value);

/**
 * Lists that the built-in schemas merge item by item, by field name, with the candidate key
 * fields in order of preference (container ports are keyed by `containerPort`, service ports by
 * `port`). The real schemas key some of these by two fields (port and protocol); one is enough
 * here. Every other list is atomic: whoever sets it owns all of it.
 */
const MERGE_KEYS: Readonly<Record<string, readonly string[]>> = {
  containers: ['name'],
  initContainers: ['name'],
  ephemeralContainers: ['name'],
  env: ['name'],
  volumes: ['name'],
  volumeMounts: ['mountPath'],
  imagePullSecrets: ['name'],
  ports: ['containerPort', 'port'],
  conditions: ['type'],
};

/** The key field by which `list` (found under field `name`) merges, or `undefined` if atomic. */
export function mergeKeyOf(name: string | undefined, list: readonly unknown[]): string | undefined {
  const candidates = name === undefined ? undefined : MERGE_KEYS[name];
  if (candidates === undefined || list.length === 0) return undefined;
  for (const candidate of candidates) {
    const seen = new Set<Scalar>();
    const ok = list.every((item) => {
      if (!isObject(item)) return false;
      const value = item[candidate];
      if (!isScalar(value) || value === null || seen.has(value)) return false;
      seen.add(value);
      return true;
    });
    if (ok) return candidate;
  }
  return undefined;
}

export const isKeyElement = (el: PathElement): el is KeyElement => 'key' in el;

export const itemMatches = (item: unknown, key: Readonly<Record<string, Scalar>>): boolean =>
  isObject(item) && Object.entries(key).every(([k, v]) => item[k] === v);

/** `.spec.template.spec.containers[name="web"].image`, as the API server prints paths. */
export function formatPath(path: FieldPath): string {
  return path
    .map((el) =>
      isKeyElement(el)
        ? `[${Object.entries(el.key)
            .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
            .join(',')}]`
        : `.${el.field}`,
    )
    .join('');
}

export type Lookup = { found: true; value: unknown } | { found: false };

export function valueAt(root: unknown, path: FieldPath): Lookup {
  let current: unknown = root;
  for (const el of path) {
    if (isKeyElement(el)) {
      if (!Array.isArray(current)) return { found: false };
      const item: unknown = current.find((candidate) => itemMatches(candidate, el.key));
      if (item === undefined) return { found: false };
      current = item;
    } else {
      if (!isObject(current) || !Object.hasOwn(current, el.field)) return { found: false };
      current = current[el.field];
    }
  }
  return { found: true, value: current };
}

/**
 * Whether two objects agree at `path`. For a keyed list item only its presence counts: its fields
 * are separate paths with their own owners.
 */
export function sameAt(a: unknown, b: unknown, path: FieldPath): boolean {
  const left = valueAt(a, path);
  const right = valueAt(b, path);
  if (!left.found || !right.found) return left.found === right.found;
  const last = path[path.length - 1];
  if (last !== undefined && isKeyElement(last)) return true;
  return isDeepStrictEqual(left.value, right.value);
}

/**
 * Removes the field or list item at `path` from `root` (in place), then removes maps and lists
 * that the removal left empty, up to but excluding the top-level fields.
 */
export function removePath(root: JsonObject, path: FieldPath): void {
  const parents: unknown[] = [];
  let current: unknown = root;
  for (const el of path.slice(0, -1)) {
    parents.push(current);
    const next = valueAt(current, [el]);
    if (!next.found) return;
    current = next.value;
  }
  const last = path[path.length - 1];
  if (last === undefined) return;
  if (!removeChild(current, last)) return;
  // Walk back up, dropping containers that became empty because of this removal.
  for (let depth = path.length - 2; depth >= 1; depth--) {
    const el = path[depth];
    const parent = parents[depth];
    if (el === undefined || !isEmptyContainer(valueAt(parent, [el]))) break;
    removeChild(parent, el);
  }
}

function isEmptyContainer(lookup: Lookup): boolean {
  if (!lookup.found) return false;
  const { value } = lookup;
  return Array.isArray(value) ? value.length === 0 : isObject(value) && Object.keys(value).length === 0;
}

function removeChild(container: unknown, el: PathElement): boolean {
  if (isKeyElement(el)) {
    if (!Array.isArray(container)) return false;
    const index = container.findIndex((item) => itemMatches(item, el.key));
    if (index < 0) return false;
    container.splice(index, 1);
    return true;
  }
  if (!isObject(container) || !Object.hasOwn(container, el.field)) return false;
  delete container[el.field];
  return true;
}
