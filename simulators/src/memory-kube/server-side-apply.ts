/**
 * Field ownership: what an apply or an update does to an object and its `managedFields`.
 * Pure: the live object and the request go in, the new object (or the conflicts) come out; the
 * store sets uid, resourceVersion and generation around it.
 */
import type { KubeObject, ManagedFieldsEntry } from '../../../agent/src/core/kube-object.js';
import { formatPath, isObject, mergeKeyOf, removePath, sameAt } from './field-path.js';
import type { FieldPath, JsonObject } from './field-path.js';
import { FieldSet, fieldsOf, fromFieldsV1, toFieldsV1 } from './field-set.js';

export interface Conflict {
  manager: string;
  apiVersion: string;
  path: FieldPath;
}

export type ApplyOutcome = { ok: true; object: KubeObject } | { ok: false; conflicts: Conflict[] };

interface Owner {
  entry: ManagedFieldsEntry;
  set: FieldSet;
}

const ownersOf = (object: KubeObject | undefined): Owner[] =>
  (object?.metadata.managedFields ?? []).map((entry) => ({ entry, set: fromFieldsV1(entry.fieldsV1) }));

/** Deep-merges `config` over `base`: maps field by field, keyed lists item by item, the rest replaced. */
export function mergeOver(base: unknown, config: unknown, name: string | undefined, keyedLists: boolean): unknown {
  if (isObject(base) && isObject(config)) {
    const out: JsonObject = { ...base };
    for (const [key, value] of Object.entries(config)) {
      out[key] = Object.hasOwn(base, key) ? mergeOver(base[key], value, key, keyedLists) : structuredClone(value);
    }
    return out;
  }
  if (keyedLists && Array.isArray(base) && Array.isArray(config)) {
    const key = mergeKeyOf(name, config);
    if (key !== undefined && (base.length === 0 || mergeKeyOf(name, base) === key)) {
      const out: unknown[] = base.map((item) => structuredClone(item));
      for (const item of config as JsonObject[]) {
        const index = out.findIndex((candidate) => isObject(candidate) && candidate[key] === item[key]);
        if (index >= 0) out[index] = mergeOver(out[index], item, undefined, keyedLists);
        else out.push(structuredClone(item));
      }
      return out;
    }
  }
  return structuredClone(config);
}

interface ApplyInput {
  live: KubeObject | undefined;
  /** The applied configuration, already validated and without `status`. */
  config: KubeObject;
  manager: string;
  force: boolean;
  keyedLists: boolean;
  time: string;
}

/**
 * Server-side apply. The manager ends up owning exactly the fields of its configuration; fields
 * it owned before and no longer sets are removed unless someone else owns them too. Setting a
 * field that another manager owns to a different value is a conflict, unless forced, which
 * takes the field away from that manager.
 */
export function planApply({ live, config: given, manager, force, keyedLists, time }: ApplyInput): ApplyOutcome {
  const config = withoutNulls(given) as KubeObject;
  const applied = fieldsOf(config, { keyedLists });
  const owners = ownersOf(live);
  const isSelf = (o: Owner): boolean => o.entry.manager === manager && o.entry.operation === 'Apply' && o.entry.subresource === undefined;
  const previous = owners.find(isSelf);
  const others = owners.filter((o) => !isSelf(o));

  const conflicts: Conflict[] = [];
  for (const other of others) {
    for (const path of applied.paths()) {
      if (other.set.has(path) && !sameAt(live, config, path)) {
        conflicts.push({ manager: other.entry.manager, apiVersion: other.entry.apiVersion, path });
      }
    }
  }
  if (conflicts.length > 0 && !force) return { ok: false, conflicts };
  for (const other of others) for (const path of applied.paths()) if (!sameAt(live, config, path)) other.set.delete(path);

  const base = structuredClone(live ?? { apiVersion: config.apiVersion, kind: config.kind, metadata: { name: config.metadata.name } }) as KubeObject;
  const ownedByOthers = others.reduce((acc, o) => acc.union(o.set), new FieldSet());
  const stale = (previous?.set ?? new FieldSet()).difference(applied).difference(ownedByOthers);
  // Deepest paths first, so that removing an item does not hide the paths inside it.
  for (const path of stale.paths().sort((a, b) => b.length - a.length)) removePath(base, path);
  const merged = mergeOver(base, config, undefined, keyedLists) as KubeObject;
  merged.apiVersion = config.apiVersion;

  const selfEntry = managerEntry(manager, 'Apply', config.apiVersion, applied, previous, time);
  merged.metadata.managedFields = rebuildEntries(owners, isSelf, selfEntry, time);
  return { ok: true, object: merged };
}

/**
 * An applied configuration's `null`s say "not set" (`creationTimestamp: null` in generated
 * manifests): such fields are neither stored nor owned.
 */
function withoutNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutNulls);
  if (!isObject(value)) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([, v]) => v !== null)
      .map(([k, v]) => [k, withoutNulls(v)]),
  );
}

interface UpdateInput {
  live: KubeObject | undefined;
  /** The whole object as the updater wants it (PUT body, or the live object with a patch applied). */
  next: KubeObject;
  manager: string;
  keyedLists: boolean;
  time: string;
  /** `status` for a write through the status subresource, recorded in the writer's entry. */
  subresource?: string;
}

/**
 * A non-apply write (create, replace, patch). It never conflicts: the updater takes ownership of
 * every field whose value it changed, and fields it removed are no longer anyone's.
 */
export function planUpdate({ live, next, manager, keyedLists, time, subresource }: UpdateInput): KubeObject {
  const statusOnly = subresource === 'status';
  const before = live === undefined ? new FieldSet() : fieldsOf(live, { keyedLists, statusOnly });
  const after = fieldsOf(next, { keyedLists, statusOnly });
  const changed = new FieldSet(after.paths().filter((path) => !sameAt(live, next, path)));
  const removed = before.difference(after);
  const owners = ownersOf(live);
  const isSelf = (o: Owner): boolean => o.entry.manager === manager && o.entry.operation === 'Update' && o.entry.subresource === subresource;
  const previous = owners.find(isSelf);
  for (const owner of owners) {
    owner.set = owner.set.difference(removed);
    if (!isSelf(owner)) owner.set = owner.set.difference(changed);
  }
  const mine = (previous?.set ?? new FieldSet()).union(changed);
  const object = structuredClone(next);
  const selfEntry = managerEntry(manager, 'Update', next.apiVersion, mine, previous, time, subresource);
  object.metadata.managedFields = rebuildEntries(owners, isSelf, mine.size > 0 ? selfEntry : undefined, time);
  return object;
}

/** Entries in their original order, the writer's in place (or last), empty ones dropped. */
function rebuildEntries(
  owners: Owner[],
  isSelf: (o: Owner) => boolean,
  selfEntry: ManagedFieldsEntry | undefined,
  time: string,
): ManagedFieldsEntry[] | undefined {
  const entries: ManagedFieldsEntry[] = [];
  let placed = false;
  for (const owner of owners) {
    if (isSelf(owner)) {
      if (selfEntry !== undefined) entries.push(selfEntry);
      placed = true;
    } else if (owner.set.size > 0) {
      const unchanged = owner.set.equals(fromFieldsV1(owner.entry.fieldsV1));
      entries.push(unchanged ? owner.entry : { ...owner.entry, time, fieldsV1: toFieldsV1(owner.set) });
    }
  }
  if (!placed && selfEntry !== undefined) entries.push(selfEntry);
  return entries.length > 0 ? entries : undefined;
}

/** The API server's wording, e.g. `Apply failed with 1 conflict: conflict with "kubectl" using apps/v1: .spec.replicas`. */
export function describeConflicts(conflicts: readonly Conflict[]): string {
  const who = (c: Conflict): string => `${JSON.stringify(c.manager)} using ${c.apiVersion}`;
  const count = `Apply failed with ${conflicts.length} conflict${conflicts.length === 1 ? '' : 's'}`;
  const [only] = conflicts;
  if (conflicts.length === 1 && only !== undefined) return `${count}: conflict with ${who(only)}: ${formatPath(only.path)}`;
  const byManager = new Map<string, Conflict[]>();
  for (const c of conflicts) byManager.set(who(c), [...(byManager.get(who(c)) ?? []), c]);
  const lines = [...byManager.keys()].sort().flatMap((manager) => [
    `conflicts with ${manager}:`,
    ...(byManager.get(manager) ?? []).map((c) => `- ${formatPath(c.path)}`),
  ]);
  return `${count}: ${lines.join('\n')}`;
}

/** A manager's managedFields entry; its time moves only when the fields it owns change. */
function managerEntry(
  manager: string,
  operation: ManagedFieldsEntry['operation'],
  apiVersion: string,
  set: FieldSet,
  previous: { set: FieldSet; entry: ManagedFieldsEntry } | undefined,
  time: string,
  subresource?: string,
): ManagedFieldsEntry {
  return {
    manager,
    operation,
    apiVersion,
    time: previous?.set.equals(set) && previous.entry.time !== undefined ? previous.entry.time : time,
    fieldsType: 'FieldsV1',
    fieldsV1: toFieldsV1(set),
    ...(subresource !== undefined ? { subresource } : {}),
  };
}
