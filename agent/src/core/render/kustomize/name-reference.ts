/**
 * Keeps references by name correct after objects were renamed or moved: a field that names an
 * object by a name it had (as written, at the start of this kustomization's transformers, or
 * before its hash suffix) is rewritten to its current name. Run at the end of each kustomization
 * and after the hash suffixes, so overlays see their bases' names as kustomize's previous-ids do.
 */
import type { KubeObject } from '../../kube-object.js';
import { compileFieldSpec, isClusterScoped, specMatches, visitFieldSpec, visitFieldSpecCopying, type CompiledFieldSpec } from './field-specs.js';
import { NAME_REFERENCES, type Referrer, type ReferralRule } from './name-reference-config.js';
import { originalId, type NameAndNamespace } from './resource-id.js';
import { KustomizeError, type Resource } from './types.js';

/** Names and namespaces of every resource at some point, keyed by kind and original identity. */
export type IdSnapshot = ReadonlyMap<string, NameAndNamespace>;

function snapshotKey(resource: Resource): string {
  const original = originalId(resource);
  return `${resource.object.kind}|${original.namespace ?? ''}|${original.name}`;
}

export function snapshotIds(resources: readonly Resource[]): IdSnapshot {
  const ids = new Map<string, NameAndNamespace>();
  for (const resource of resources) {
    const { name, namespace } = resource.object.metadata;
    ids.set(snapshotKey(resource), namespace === undefined ? { name } : { name, namespace });
  }
  return ids;
}

interface Candidate {
  resource: Resource;
  formerNames: Set<string>;
  originalNamespace: string;
}

export function fixNameReferences(resources: readonly Resource[], before: IdSnapshot): Resource[] {
  const out = [...resources];
  // Candidates are read once: rewriting references changes no object's name or namespace.
  const candidatesByKind = new Map<string, Candidate[]>();
  for (const resource of resources) {
    if (!REFERRED_KINDS.has(resource.object.kind)) continue;
    const list = candidatesByKind.get(resource.object.kind) ?? [];
    list.push(candidateOf(resource, before));
    candidatesByKind.set(resource.object.kind, list);
  }
  // Copy-on-write: only the containers on the way to a reference that changes are copied.
  const owned = new Set<unknown>();
  for (const { rule, byKind } of RULES) {
    const candidates = indexCandidates((candidatesByKind.get(rule.kind) ?? []).filter((c) => referralMatches(rule, c.resource.object)));
    // A reference can only go stale if something it may name was renamed or moved.
    if (!candidates.changed) continue;
    out.forEach((referrer, index) => {
      for (const spec of byKind.get(referrer.object.kind) ?? []) {
        if (!specMatches(spec, referrer.object)) continue;
        let stale = false;
        visitFieldSpec(referrer.object, spec, (parent, key) => {
          stale ||= rewrite(rule, spec, referrer, parent, key, candidates, false);
        });
        if (!stale) continue;
        const target = out[index]!;
        const object = visitFieldSpecCopying(target.object, spec, owned, (parent, key) => rewrite(rule, spec, target, parent, key, candidates, true));
        out[index] = { ...target, object };
      }
    });
  }
  return out;
}

/** Each rule's referrer specs by kind (every configured referrer names its kind), built once. */
const RULES: readonly { rule: ReferralRule; byKind: ReadonlyMap<string | undefined, readonly CompiledFieldSpec<Referrer>[]> }[] =
  NAME_REFERENCES.map((rule) => {
    const byKind = new Map<string | undefined, CompiledFieldSpec<Referrer>[]>();
    for (const spec of rule.referrers) byKind.set(spec.kind, [...(byKind.get(spec.kind) ?? []), compileFieldSpec(spec)]);
    return { rule, byKind };
  });

const REFERRED_KINDS: ReadonlySet<string> = new Set(NAME_REFERENCES.map((rule) => rule.kind));

function referralMatches(rule: ReferralRule, object: KubeObject): boolean {
  return specMatches({ kind: rule.kind, ...(rule.group === undefined ? {} : { group: rule.group }) }, object);
}

/** The names a resource had as written and when this kustomization's transformers started. */
export function formerNames(resource: Resource, before: IdSnapshot): Set<string> {
  const names = new Set([originalId(resource).name]);
  const earlier = before.get(snapshotKey(resource))?.name;
  if (earlier !== undefined) names.add(earlier);
  return names;
}

interface CandidateIndex {
  /** By current name. */
  byName: Map<string, Candidate[]>;
  /** By every name the candidate had before. */
  byFormerName: Map<string, Candidate[]>;
  /** Whether any candidate had another name or namespace before. */
  changed: boolean;
}

function indexCandidates(candidates: readonly Candidate[]): CandidateIndex {
  const index: CandidateIndex = { byName: new Map(), byFormerName: new Map(), changed: false };
  const add = (map: Map<string, Candidate[]>, key: string, candidate: Candidate): void => {
    const list = map.get(key);
    if (list) list.push(candidate);
    else map.set(key, [candidate]);
  };
  for (const candidate of candidates) {
    const { name, namespace } = candidate.resource.object.metadata;
    add(index.byName, name, candidate);
    for (const former of candidate.formerNames) {
      add(index.byFormerName, former, candidate);
      if (former !== name) index.changed = true;
    }
    if (candidate.originalNamespace !== normalizeNs(namespace)) index.changed = true;
  }
  return index;
}

function candidateOf(resource: Resource, before: IdSnapshot): Candidate {
  // A reference that spells out a namespace must name the one the object was written with.
  return { resource, formerNames: formerNames(resource, before), originalNamespace: normalizeNs(originalId(resource).namespace) };
}

/** kustomize treats an absent namespace and `default` alike when comparing. */
function normalizeNs(namespace: string | undefined): string {
  return namespace === undefined || namespace === '' ? 'default' : namespace;
}

function rewrite(
  rule: ReferralRule,
  spec: Referrer,
  referrer: Resource,
  parent: Record<string, unknown>,
  key: string,
  candidates: CandidateIndex,
  apply: boolean,
): boolean {
  const value = parent[key];
  if (typeof value !== 'string') return false;
  if (spec.kindField && parent['kind'] !== rule.kind) return false;
  const fieldNamespace = spec.namespaceField && typeof parent['namespace'] === 'string' ? parent['namespace'] : undefined;
  const compatible = (candidate: Candidate, current: boolean): boolean => {
    const object = candidate.resource.object;
    if (isClusterScoped(object)) return true;
    if (fieldNamespace !== undefined) {
      return current
        ? normalizeNs(object.metadata.namespace) === normalizeNs(fieldNamespace)
        : candidate.originalNamespace === normalizeNs(fieldNamespace);
    }
    if (isClusterScoped(referrer.object)) return true;
    return normalizeNs(object.metadata.namespace) === normalizeNs(referrer.object.metadata.namespace);
  };
  if ((candidates.byName.get(value) ?? []).some((c) => compatible(c, true))) return false;
  const matches = (candidates.byFormerName.get(value) ?? []).filter((c) => compatible(c, false));
  const targets = new Map(matches.map((c) => [`${c.resource.object.metadata.namespace ?? ''}/${c.resource.object.metadata.name}`, c]));
  if (targets.size === 0) return false;
  if (targets.size > 1) {
    throw new KustomizeError(referrer.origin, `${referrer.object.kind} ${referrer.object.metadata.name} refers to ${rule.kind} ${value}, which matches several objects: ${[...targets.keys()].join(', ')}`);
  }
  if (!apply) return true;
  const target = [...targets.values()][0]!.resource.object;
  parent[key] = target.metadata.name;
  if (spec.namespaceField && target.metadata.namespace !== undefined) parent['namespace'] = target.metadata.namespace;
  return true;
}
