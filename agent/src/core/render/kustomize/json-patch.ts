/**
 * RFC 6902 JSON Patch over plain JSON values, as kustomize applies `patchesJson6902` and
 * operation-list `patches`: every operation must apply (a failed `test`, a missing path for
 * `remove`/`replace`, an out-of-range index are errors); `-` appends to an array.
 * Pure: never changes its input; the result shares what the operations left alone with it.
 */
import { cloneJson, setOwn } from './json-value.js';

export interface JsonPatchOperation {
  op: 'add' | 'remove' | 'replace' | 'move' | 'copy' | 'test';
  path: string;
  from?: string;
  value?: unknown;
}

export class JsonPatchError extends Error {
  override readonly name = 'JsonPatchError';
}

const OPS = new Set(['add', 'remove', 'replace', 'move', 'copy', 'test']);

/** Checks that `value` is a list of operations; the message says which entry is wrong. */
export function parseJsonPatch(value: unknown): JsonPatchOperation[] {
  if (!Array.isArray(value)) throw new JsonPatchError('a JSON 6902 patch must be a list of operations');
  return value.map((entry: unknown, index) => {
    const op = entry as Record<string, unknown>;
    const where = `operation ${index + 1}`;
    if (typeof op !== 'object' || op === null || Array.isArray(op)) throw new JsonPatchError(`${where} is not a mapping`);
    if (typeof op['op'] !== 'string' || !OPS.has(op['op'])) {
      throw new JsonPatchError(`${where}: op must be one of add, remove, replace, move, copy, test (got ${JSON.stringify(op['op'])})`);
    }
    if (typeof op['path'] !== 'string') throw new JsonPatchError(`${where} (${op['op']}): path is missing`);
    if ((op['op'] === 'move' || op['op'] === 'copy') && typeof op['from'] !== 'string') {
      throw new JsonPatchError(`${where} (${op['op']}): from is missing`);
    }
    if ((op['op'] === 'add' || op['op'] === 'replace' || op['op'] === 'test') && !('value' in op)) {
      throw new JsonPatchError(`${where} (${op['op']}): value is missing`);
    }
    return op as unknown as JsonPatchOperation;
  });
}

export function applyJsonPatch(document: unknown, operations: readonly JsonPatchOperation[]): unknown {
  // Copy-on-write: the containers an operation changes are copied once, the rest is shared.
  const owned = new Set<unknown>();
  let result = document;
  operations.forEach((operation, index) => {
    try {
      result = applyOperation(result, operation, owned);
    } catch (error) {
      if (!(error instanceof JsonPatchError)) throw error;
      throw new JsonPatchError(`operation ${index + 1} (${operation.op} ${operation.path}): ${error.message}`);
    }
  });
  return result;
}

function applyOperation(document: unknown, operation: JsonPatchOperation, owned: Set<unknown>): unknown {
  switch (operation.op) {
    case 'add':
      return add(document, parsePointer(operation.path), cloneJson(operation.value), owned);
    case 'remove':
      return remove(document, parsePointer(operation.path), owned).document;
    case 'replace': {
      const path = parsePointer(operation.path);
      get(document, path);
      return add(remove(document, path, owned).document, path, cloneJson(operation.value), owned);
    }
    case 'move': {
      const from = parsePointer(operation.from!);
      const path = parsePointer(operation.path);
      if (path.length > from.length && from.every((token, i) => path[i] === token)) {
        throw new JsonPatchError('cannot move a value into itself');
      }
      const removed = remove(document, from, owned);
      return add(removed.document, path, removed.value, owned);
    }
    case 'copy':
      return add(document, parsePointer(operation.path), cloneJson(get(document, parsePointer(operation.from!))), owned);
    case 'test': {
      const actual = get(document, parsePointer(operation.path));
      if (!deepEqual(actual, operation.value)) {
        throw new JsonPatchError(`test failed: the value is ${JSON.stringify(actual)}, not ${JSON.stringify(operation.value)}`);
      }
      return document;
    }
  }
}

function parsePointer(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw new JsonPatchError(`path ${pointer} must start with /`);
  return pointer.slice(1).split('/').map((token) => token.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function get(document: unknown, path: readonly string[]): unknown {
  let current = document;
  for (const token of path) {
    if (Array.isArray(current)) {
      current = current[arrayIndex(token, current.length - 1)];
    } else if (isRecord(current) && Object.hasOwn(current, token)) {
      current = current[token];
    } else {
      throw new JsonPatchError(`no value at ${formatPointer(path)}`);
    }
  }
  return current;
}

/** The container holding the last token of `path`; it must exist. */
function parentOf(document: unknown, path: readonly string[]): unknown {
  return get(document, path.slice(0, -1));
}

/**
 * `document` with the root and every container on `path` (which must exist) copied, unless this
 * patch copied them already, so that the container at the end of `path` may be changed.
 */
function ownPath(document: unknown, path: readonly string[], owned: Set<unknown>): unknown {
  const root = ownContainer(document, owned);
  let current = root as Record<string, unknown>;
  for (const token of path) {
    const child = current[token];
    const copy = ownContainer(child, owned);
    if (copy !== child) setOwn(current, token, copy);
    current = copy as Record<string, unknown>;
  }
  return root;
}

function ownContainer(value: unknown, owned: Set<unknown>): unknown {
  if (typeof value !== 'object' || value === null || owned.has(value)) return value;
  const copy = Array.isArray(value) ? [...value] : { ...value };
  owned.add(copy);
  return copy;
}

function add(document: unknown, path: readonly string[], value: unknown, owned: Set<unknown>): unknown {
  if (path.length === 0) return value;
  const token = path[path.length - 1]!;
  const target = parentOf(document, path);
  if (!Array.isArray(target) && !isRecord(target)) {
    throw new JsonPatchError(`${formatPointer(path.slice(0, -1))} is neither an object nor an array`);
  }
  const index = Array.isArray(target) ? (token === '-' ? target.length : arrayIndex(token, target.length)) : 0;
  const result = ownPath(document, path.slice(0, -1), owned);
  const parent = parentOf(result, path);
  if (Array.isArray(parent)) parent.splice(index, 0, value);
  else setOwn(parent as Record<string, unknown>, token, value);
  return result;
}

function remove(document: unknown, path: readonly string[], owned: Set<unknown>): { document: unknown; value: unknown } {
  if (path.length === 0) throw new JsonPatchError('cannot remove the whole document');
  const value = get(document, path);
  const token = path[path.length - 1]!;
  const result = ownPath(document, path.slice(0, -1), owned);
  const parent = parentOf(result, path);
  if (Array.isArray(parent)) parent.splice(arrayIndex(token, parent.length - 1), 1);
  else delete (parent as Record<string, unknown>)[token];
  return { document: result, value };
}

function arrayIndex(token: string, max: number): number {
  if (!/^(0|[1-9][0-9]*)$/.test(token)) throw new JsonPatchError(`${token} is not an array index`);
  const index = Number(token);
  if (index > max) throw new JsonPatchError(`index ${index} is out of range`);
  return index;
}

function formatPointer(path: readonly string[]): string {
  return path.length === 0 ? '/' : `/${path.map((token) => token.replace(/~/g, '~0').replace(/\//g, '~1')).join('/')}`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((item, i) => deepEqual(item, b[i]));
  if (isRecord(a) && isRecord(b)) {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((key) => Object.hasOwn(b, key) && deepEqual(a[key], b[key]));
  }
  return false;
}
