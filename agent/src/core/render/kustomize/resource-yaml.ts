/**
 * Reads resource files the way kustomize (kyaml, over go-yaml v3) does, which differs from the
 * YAML 1.1 reading of plain manifests in `render-plain.ts`: `yes` and `on` stay strings, `1:20`
 * is not a sexagesimal number, timestamps become RFC 3339 strings. Duplicate keys and alias
 * bombs are refused; every error names the file and line.
 */
import { LineCounter, isAlias, isMap, isScalar, isSeq, parseAllDocuments } from 'yaml';
import type { Document, Node as YamlNode, Scalar } from 'yaml';
import { KustomizeError } from './types.js';
import { resolvePlain } from './scalar-resolve.js';
import { readSimpleYaml } from './simple-yaml.js';
import { MAX_EXPANDED_NODES, childRole, itemRole, type ParsedDocument, type Role, type YamlValue } from './yaml-value.js';

export type { ParsedDocument, YamlValue } from './yaml-value.js';

const MAX_ALIASES = 10_000;

/**
 * Every non-empty document of a file, converted to plain values: by the simple reader when the
 * file is in its subset (most manifests are; it is several times faster), else by the `yaml` package.
 */
export function parseYamlDocuments(file: string, text: string): ParsedDocument[] {
  return readSimpleYaml(text) ?? parseWithYamlPackage(file, text);
}

/** The reading of any YAML, and the reference the simple reader is tested against. */
export function parseWithYamlPackage(file: string, text: string): ParsedDocument[] {
  const lineCounter = new LineCounter();
  const documents = parseAllDocuments(text, { schema: 'failsafe', uniqueKeys: true, lineCounter });
  const lineAt = (offset: number): number => lineCounter.linePos(offset).line;
  const out: ParsedDocument[] = [];
  for (const document of Array.isArray(documents) ? documents : [documents]) {
    const problem = document.errors[0];
    if (problem) {
      throw new KustomizeError(file, problem.message.split('\n')[0] ?? problem.message, problem.linePos?.[0].line);
    }
    if (document.contents === null) continue;
    const converter = new Converter(file, document, lineAt);
    const value = converter.convert(document.contents as YamlNode, 'object');
    if (value === null) continue;
    out.push({ value, line: lineAt(document.contents.range?.[0] ?? 0) });
  }
  return out;
}

class Converter {
  private nodes = 0;
  private aliases = 0;

  constructor(
    private readonly file: string,
    private readonly document: Document,
    private readonly lineAt: (offset: number) => number,
  ) {}

  /**
   * `role` tracks where an object's own annotations are: kustomize rewrites every resource's
   * annotations as strings of their source text (`1.0` stays "1.0"), but nothing else.
   */
  convert(node: YamlNode | null, role?: Role): YamlValue {
    if (++this.nodes > MAX_EXPANDED_NODES) this.fail(node, 'aliases expand to too many nodes');
    if (node === null) return null;
    if (isAlias(node)) {
      if (++this.aliases > MAX_ALIASES) this.fail(node, 'too many aliases');
      const target = node.resolve(this.document);
      if (!target) this.fail(node, `unknown anchor ${node.source}`);
      return this.convert(target as YamlNode, role);
    }
    if (isScalar(node)) return role === 'annotation' ? String(node.value ?? '') : this.scalar(node);
    if (isSeq(node)) return node.items.map((item) => this.convert(item as YamlNode, itemRole(role)));
    if (isMap(node)) {
      const out: { [key: string]: YamlValue } = {};
      const merged: { [key: string]: YamlValue }[] = [];
      for (const pair of node.items) {
        const keyNode = pair.key as YamlNode | null;
        if (isScalar(keyNode) && keyNode.value === '<<' && !keyNode.tag) {
          merged.push(...this.mergeSources(pair.value as YamlNode));
          continue;
        }
        if (!isScalar(keyNode)) this.fail(keyNode, 'mapping keys must be scalars');
        const key = String(keyNode.value);
        out[key] = this.convert(pair.value as YamlNode | null, childRole(role, key));
      }
      // Explicit keys win over merged ones; earlier merge sources win over later ones.
      for (const source of merged) {
        for (const [key, value] of Object.entries(source)) if (!(key in out)) out[key] = value;
      }
      return out;
    }
    return this.fail(node, 'unsupported YAML node');
  }

  private mergeSources(node: YamlNode): { [key: string]: YamlValue }[] {
    const value = this.convert(node);
    const sources = Array.isArray(value) ? value : [value];
    for (const source of sources) {
      if (source === null || typeof source !== 'object' || Array.isArray(source)) {
        this.fail(node, 'a merge key (<<) takes a mapping or a list of mappings');
      }
    }
    return sources as { [key: string]: YamlValue }[];
  }

  private scalar(node: Scalar): YamlValue {
    const text = String(node.value ?? '');
    const tag = node.tag?.replace(/^tag:yaml\.org,2002:/, '!!');
    if (tag === '!!str' || tag === '!!binary') return text;
    if (tag === undefined || tag === '!' || tag.startsWith('!!')) {
      if (node.type !== 'PLAIN' && tag === undefined) return text;
      if (tag === '!') return text;
      const resolved = resolvePlain(text, false);
      if (tag !== undefined && tag !== `!!${resolved.tag}`) {
        this.fail(node, `cannot read ${JSON.stringify(text)} as ${tag}`);
      }
      if (resolved.tag === 'float' && !Number.isFinite(resolved.value)) {
        // kustomize converts resources to JSON, which has no infinities or NaN.
        this.fail(node, `${text} cannot be represented in JSON`);
      }
      return resolved.tag === 'merge' ? '<<' : resolved.value;
    }
    // Local tags (`!Ref`) carry no meaning for Kubernetes; go-yaml keeps the text.
    return text;
  }

  private fail(node: YamlNode | null | undefined, message: string): never {
    const offset = node?.range?.[0];
    throw new KustomizeError(this.file, message, offset === undefined ? undefined : this.lineAt(offset));
  }
}
