/**
 * Patch targets as kustomize selects them: group, version and kind compared exactly when given,
 * name and namespace as anchored regular expressions tried against both the current and the
 * original id, label and annotation selectors in Kubernetes selector syntax.
 */
import type { KubeObject } from '../../kube-object.js';
import type { Resource, TargetSelector } from './types.js';

export class SelectorError extends Error {
  override readonly name = 'SelectorError';
}

/** A compiled selector: call it per resource. Malformed expressions throw `SelectorError`. */
export function compileSelector(selector: TargetSelector): (resource: Resource) => boolean {
  const name = anchored(selector.name, 'name');
  const namespace = anchored(selector.namespace, 'namespace');
  const labels = selector.labelSelector ? parseLabelSelector(selector.labelSelector) : undefined;
  const annotations = selector.annotationSelector ? parseLabelSelector(selector.annotationSelector) : undefined;
  return ({ object, original }) => {
    const [group, version] = groupVersion(object.apiVersion);
    if (selector.group !== undefined && selector.group !== group) return false;
    if (selector.version !== undefined && selector.version !== version) return false;
    if (selector.kind !== undefined && selector.kind !== object.kind) return false;
    const ids = original ? [object.metadata, original] : [object.metadata];
    if (name && !ids.some((id) => name.test(id.name))) return false;
    if (namespace && !ids.some((id) => namespace.test(id.namespace ?? ''))) return false;
    if (labels && !labels(object.metadata.labels ?? {})) return false;
    if (annotations && !annotations(object.metadata.annotations ?? {})) return false;
    return true;
  };
}

export function groupVersion(apiVersion: string): [group: string, version: string] {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? ['', apiVersion] : [apiVersion.slice(0, slash), apiVersion.slice(slash + 1)];
}

function anchored(pattern: string | undefined, field: string): RegExp | undefined {
  if (pattern === undefined || pattern === '') return undefined;
  try {
    return new RegExp(`^(?:${pattern})$`);
  } catch (error) {
    throw new SelectorError(`target ${field} ${JSON.stringify(pattern)} is not a valid regular expression: ${(error as Error).message}`);
  }
}

type Requirement = (values: Record<string, string>) => boolean;

/** `a=b`, `a==b`, `a!=b`, `a in (x,y)`, `a notin (x)`, `a`, `!a`, comma-separated, all must hold. */
export function parseLabelSelector(text: string): (values: Record<string, string>) => boolean {
  const requirements: Requirement[] = [];
  const pattern = /\s*(?:(!)\s*([^\s,!=()]+)|([^\s,!=()]+)\s*(?:(==|=|!=)\s*([^\s,!=()]*)|\s(in|notin)\s*\(([^)]*)\))?)\s*(?:,|$)/y;
  let offset = 0;
  while (offset < text.length) {
    pattern.lastIndex = offset;
    const match = pattern.exec(text);
    if (!match || match[0] === '') throw new SelectorError(`cannot parse selector ${JSON.stringify(text)} at ${JSON.stringify(text.slice(offset))}`);
    offset = pattern.lastIndex;
    const [, not, absentKey, key, op, value, setOp, set] = match;
    if (not) {
      requirements.push((values) => !Object.hasOwn(values, absentKey!));
    } else if (op) {
      requirements.push(op === '!=' ? (values) => values[key!] !== value : (values) => values[key!] === value);
    } else if (setOp) {
      const members = new Set(set!.split(',').map((item) => item.trim()).filter((item) => item !== ''));
      requirements.push(setOp === 'in'
        ? (values) => Object.hasOwn(values, key!) && members.has(values[key!]!)
        : (values) => !Object.hasOwn(values, key!) || !members.has(values[key!]!));
    } else {
      requirements.push((values) => Object.hasOwn(values, key!));
    }
  }
  return (values) => requirements.every((requirement) => requirement(values));
}

/** Identity of an object as kustomize prints it in errors: `Kind.version.group/name.namespace`. */
export function describeId(object: Pick<KubeObject, 'apiVersion' | 'kind'> & { metadata?: { name?: unknown; namespace?: unknown } }): string {
  const [group, version] = groupVersion(typeof object.apiVersion === 'string' ? object.apiVersion : '');
  const name = typeof object.metadata?.name === 'string' ? object.metadata.name : '';
  const namespace = typeof object.metadata?.namespace === 'string' ? object.metadata.namespace : '';
  return `${object.kind}.${version || '[noVer]'}.${group || '[noGrp]'}/${name}.${namespace || '[noNs]'}`;
}
