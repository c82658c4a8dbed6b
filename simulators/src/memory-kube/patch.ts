/**
 * The non-apply patch formats: JSON merge patch (RFC 7386) and JSON patch (RFC 6902). Strategic
 * merge patch is approximated for built-in list merge keys (see `strategicMergePatch`). Pure;
 * a bad patch yields an error message rather than a throw.
 */
import { isDeepStrictEqual } from 'node:util';
import { isObject, mergeKeyOf } from './field-path.js';

export type PatchResult = { ok: true; value: unknown } | { ok: false; error: string };

export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return structuredClone(patch);
  const out: Record<string, unknown> = isObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    // Strategic merge patch directives (`$patch`, `$setElementOrder/...`) have no meaning here.
    if (key.startsWith('$')) continue;
    if (value === null) delete out[key];
    else out[key] = mergePatch(out[key], value);
  }
  return out;
}

interface Operation {
  op: string;
  path: string;
  from?: string;
  value?: unknown;
}

function parsePointer(pointer: string): string[] | undefined {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) return undefined;
  return pointer
    .slice(1)
    .split('/')
    .map((token) => token.replaceAll('~1', '/').replaceAll('~0', '~'));
}

type Located = { ok: true; parent: unknown; token: string } | { ok: false; error: string };

function locate(root: unknown, tokens: string[]): Located {
  let current = root;
  for (const token of tokens.slice(0, -1)) {
    const next = child(current, token);
    if (next === undefined) return { ok: false, error: `path segment ${JSON.stringify(token)} does not exist` };
    current = next;
  }
  const token = tokens[tokens.length - 1];
  if (token === undefined) return { ok: false, error: 'the root cannot be the target of this operation' };
  return { ok: true, parent: current, token };
}

function child(container: unknown, token: string): unknown {
  if (Array.isArray(container)) return /^\d+$/.test(token) ? container[Number(token)] : undefined;
  return isObject(container) && Object.hasOwn(container, token) ? container[token] : undefined;
}

function read(root: unknown, tokens: string[]): unknown {
  return tokens.reduce<unknown>((current, token) => (current === undefined ? undefined : child(current, token)), root);
}

function add(at: Located & { ok: true }, value: unknown): string | undefined {
  const { parent, token } = at;
  if (Array.isArray(parent)) {
    const index = token === '-' ? parent.length : /^\d+$/.test(token) ? Number(token) : -1;
    if (index < 0 || index > parent.length) return `index ${token} is out of range`;
    parent.splice(index, 0, value);
    return undefined;
  }
  if (!isObject(parent)) return `cannot add ${JSON.stringify(token)} to a value that is not an object`;
  parent[token] = value;
  return undefined;
}

function remove(at: Located & { ok: true }): string | undefined {
  const { parent, token } = at;
  if (Array.isArray(parent)) {
    const index = /^\d+$/.test(token) ? Number(token) : -1;
    if (index < 0 || index >= parent.length) return `index ${token} is out of range`;
    parent.splice(index, 1);
    return undefined;
  }
  if (!isObject(parent) || !Object.hasOwn(parent, token)) return `${JSON.stringify(token)} does not exist`;
  delete parent[token];
  return undefined;
}

export function jsonPatch(target: unknown, operations: unknown): PatchResult {
  if (!Array.isArray(operations)) return { ok: false, error: 'a JSON patch must be a list of operations' };
  let doc: unknown = structuredClone(target);
  for (const raw of operations) {
    if (!isObject(raw) || typeof raw['op'] !== 'string' || typeof raw['path'] !== 'string') {
      return { ok: false, error: 'every JSON patch operation needs a string "op" and "path"' };
    }
    const op = raw as unknown as Operation;
    const tokens = parsePointer(op.path);
    if (tokens === undefined) return { ok: false, error: `invalid JSON pointer ${JSON.stringify(op.path)}` };
    const fail = (why: string): PatchResult => ({ ok: false, error: `${op.op} ${op.path}: ${why}` });
    let value = op.value;
    if (op.op === 'move' || op.op === 'copy') {
      const from = parsePointer(op.from ?? '');
      if (from === undefined || op.from === undefined) return fail('"from" must be a JSON pointer');
      value = read(doc, from);
      if (value === undefined) return fail(`"from" ${op.from} does not exist`);
      value = structuredClone(value);
      if (op.op === 'move') {
        const source = locate(doc, from);
        const error = source.ok ? remove(source) : source.error;
        if (error !== undefined) return fail(error);
      }
    } else if (op.op === 'test') {
      if (!isDeepStrictEqual(read(doc, tokens), op.value)) return fail('test failed');
      continue;
    } else if (!['add', 'remove', 'replace'].includes(op.op)) {
      return fail('unknown operation');
    }
    if (tokens.length === 0) {
      if (op.op === 'remove') return fail('the root cannot be removed');
      doc = structuredClone(value);
      continue;
    }
    const at = locate(doc, tokens);
    if (!at.ok) return fail(at.error);
    if (op.op === 'remove' || op.op === 'replace') {
      const error = remove(at);
      if (error !== undefined) return fail(error);
    }
    if (op.op !== 'remove') {
      if (value === undefined) return fail('"value" is required');
      const error = add(at, structuredClone(value));
      if (error !== undefined) return fail(error);
    }
  }
  return { ok: true, value: doc };
}

/**
 * Strategic merge patch, reduced to what matters for built-in kinds: maps merge like a merge
 * patch, lists with a merge key (`containers` by `name`) merge item by item, and an item with
 * `$patch: delete` is removed. Other directives are ignored.
 */
export function strategicMergePatch(target: unknown, patch: unknown, name?: string): unknown {
  if (Array.isArray(patch)) {
    const key = mergeKeyOf(name, patch);
    if (key === undefined || !Array.isArray(target)) return structuredClone(patch.filter((item) => !isDeleteDirective(item)));
    const out: unknown[] = target.map((item) => structuredClone(item));
    for (const item of patch as Record<string, unknown>[]) {
      const index = out.findIndex((candidate) => isObject(candidate) && candidate[key] === item[key]);
      if (isDeleteDirective(item)) {
        if (index >= 0) out.splice(index, 1);
      } else if (index >= 0) {
        out[index] = strategicMergePatch(out[index], item);
      } else {
        out.push(strategicMergePatch(undefined, item));
      }
    }
    return out;
  }
  if (!isObject(patch)) return structuredClone(patch);
  const out: Record<string, unknown> = isObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (key.startsWith('$')) continue;
    if (value === null) delete out[key];
    else out[key] = strategicMergePatch(out[key], value, key);
  }
  return out;
}

const isDeleteDirective = (item: unknown): boolean => isObject(item) && item['$patch'] === 'delete';

export const PatchType = { merge: 'merge', strategic: 'strategic', json: 'json' } as const;
export type PatchType = (typeof PatchType)[keyof typeof PatchType];

/** A document with a patch of any of the three types applied; a JSON patch that fails is an error message. */
export function patchWith(document: unknown, patchType: PatchType, patch: unknown): PatchResult {
  if (patchType === PatchType.json) return jsonPatch(document, patch);
  if (!isObject(patch)) return { ok: false, error: 'a merge patch must be a JSON object' };
  return { ok: true, value: patchType === PatchType.merge ? mergePatch(document, patch) : strategicMergePatch(document, patch) };
}
