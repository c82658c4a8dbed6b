/**
 * kubectl's content-hash name suffix for generated ConfigMaps and Secrets. kustomize hashes the
 * final object (after every patch and transformer of the top-level build), so the build calls
 * `applyHashSuffixes` last and then rewrites references with `generatedNameMap`.
 */
import { createHash } from 'node:crypto';
import { KustomizeError, type Resource } from './types.js';

/**
 * The 10-character suffix kubectl appends. kustomize JSON-encodes `{data, kind, name}` (plus
 * `binaryData` when non-empty and `type` for Secrets) the way Go's encoding/json does (sorted
 * keys, HTML-escaped), with an empty `name` and absent data as `""` (ConfigMap) or `{}` (Secret),
 * then SHA-256s it and maps the first ten hex digits so that no vowels or look-alike digits appear.
 */
export function nameHash(object: Resource['object']): string {
  // kustomize's own quirk: an absent ConfigMap data map encodes as "", a Secret's as {}.
  const data = stringMap(object['data']) ?? (object.kind === 'Secret' ? {} : '');
  const fields: [string, unknown][] = [['data', data]];
  const binaryData = stringMap(object['binaryData']);
  if (binaryData && Object.keys(binaryData).length > 0) fields.push(['binaryData', binaryData]);
  if (object.kind === 'ConfigMap') {
    fields.push(['kind', 'ConfigMap'], ['name', '']);
  } else if (object.kind === 'Secret') {
    fields.push(['kind', 'Secret'], ['name', ''], ['type', typeof object['type'] === 'string' ? object['type'] : '']);
  } else {
    throw new KustomizeError(object.metadata.name, `cannot hash a ${object.kind}; only ConfigMaps and Secrets get a hash suffix`);
  }
  const digest = createHash('sha256').update(goJson(Object.fromEntries(fields))).digest('hex');
  return digest.slice(0, 10).replace(/[013ae]/g, (c) => HASH_LETTERS[c] ?? c);
}

const HASH_LETTERS: Record<string, string> = { '0': 'g', '1': 'h', '3': 'k', a: 'm', e: 't' };

/** Renames every resource marked `hashSuffix` to `name-<hash>` and clears the mark. */
export function applyHashSuffixes(resources: readonly Resource[]): Resource[] {
  return resources.map((resource) => {
    if (!resource.hashSuffix) return resource;
    const { object } = resource;
    const renamed = { ...object, metadata: { ...object.metadata, name: `${object.metadata.name}-${nameHash(object)}` } };
    const original = resource.original ?? originalOf(object);
    return { object: renamed, origin: resource.origin, original };
  });
}

/**
 * Where generated objects were renamed: `kind/namespace/name` (original and pre-hash names
 * both) → the hashed name, for rewriting references. Call with the resources as they were just
 * before `applyHashSuffixes` and the result of it, in the same order.
 */
export function generatedNameMap(before: readonly Resource[], after: readonly Resource[]): Map<string, string> {
  const names = new Map<string, string>();
  before.forEach((resource, index) => {
    const renamed = after[index];
    if (!resource.hashSuffix || !renamed) return;
    const { kind, metadata } = resource.object;
    const hashed = renamed.object.metadata.name;
    names.set(generatedNameKey(kind, metadata.namespace, metadata.name), hashed);
    if (resource.original) {
      names.set(generatedNameKey(kind, resource.original.namespace ?? metadata.namespace, resource.original.name), hashed);
    }
  });
  return names;
}

export function generatedNameKey(kind: string, namespace: string | undefined, name: string): string {
  return `${kind}/${namespace ?? ''}/${name}`;
}

function originalOf(object: Resource['object']): NonNullable<Resource['original']> {
  const { name, namespace } = object.metadata;
  return namespace === undefined ? { name } : { name, namespace };
}

function stringMap(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

/** JSON as Go's encoding/json writes it: map keys sorted, `<>&` and U+2028/9 escaped. */
function goJson(value: unknown): string {
  if (typeof value === 'string') return goString(value);
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return `[${value.map(goJson).join(',')}]`;
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record).sort((a, b) => (Buffer.compare(Buffer.from(a), Buffer.from(b))));
  return `{${keys.map((key) => `${goString(key)}:${goJson(record[key])}`).join(',')}}`;
}

const GO_ESCAPES: Record<string, string> = { '"': '\\"', '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function goString(text: string): string {
  // eslint-disable-next-line no-control-regex
  const escaped = text.replace(/[\u0000-\u001f"\\<>&\u2028\u2029]/g, (c) =>
    GO_ESCAPES[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return `"${escaped}"`;
}
