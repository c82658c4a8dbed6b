/**
 * What reading a resource file produces, shared by the two readers in `resource-yaml.ts` (the
 * `yaml` package, for any YAML) and `simple-yaml.ts` (a fast reader for the common subset), so
 * both turn the same text into the same values.
 */

export type YamlValue = string | number | boolean | null | YamlValue[] | { [key: string]: YamlValue };

export interface ParsedDocument {
  value: YamlValue;
  line: number;
}

/** How many nodes alias expansion may produce in one file: far above any real manifest. */
export const MAX_EXPANDED_NODES = 1_000_000;

/**
 * Where a node sits relative to an object's own annotations: kustomize rewrites every resource's
 * annotations as strings of their source text (`1.0` stays "1.0"), but nothing else.
 */
export type Role = 'object' | 'items' | 'metadata' | 'annotations' | 'annotation';

export function childRole(role: Role | undefined, key: string): Role | undefined {
  if (role === 'object') return key === 'metadata' ? 'metadata' : key === 'items' ? 'items' : undefined;
  if (role === 'metadata' && key === 'annotations') return 'annotations';
  if (role === 'annotations') return 'annotation';
  return undefined;
}

/** The role of a sequence's items: the items of a `kind: List` are objects. */
export function itemRole(role: Role | undefined): Role | undefined {
  return role === 'items' ? 'object' : undefined;
}
