/**
 * An in-process Kubernetes cluster: the same answers as an API server for what the agent and
 * kubectl do (server-side apply with field ownership, create, replace, patch, get, list by label,
 * delete with finalizers, watch, status), without controllers (the simulator attaches those).
 * The engine of the simulated Kubernetes API.
 */
import { randomUUID } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import type { ApplyOptions, KubeClient, ListOptions, ResourceScope, WatchChange } from '../../../agent/src/ports/kube.js';
import type { KubeObject, ObjectRef } from '../../../agent/src/core/kube-object.js';
import { ResourceCatalogue, statusIsSubresource, typesFromCrd } from './catalogue.js';
import type { ResourceType } from './catalogue.js';
import { finalizersOf, isDeleting, keepDeletionMarks, markedForDeletion } from './deletion.js';
import { formatPath, isObject } from './field-path.js';
import { matchesSelector, parseLabelSelector } from './label-selector.js';
import { keyOf, kindKeyOf, namespaceOfKey, ObjectStore } from './object-store.js';
import { PatchType, patchWith } from './patch.js';
import { serverStatus } from './server-defaults.js';
import { describeConflicts, planApply, planUpdate } from './server-side-apply.js';
import { badRequest, invalidError, KubeStatusError, notFoundError, qualifiedName, StatusReason } from './status-error.js';
import { validateEnvelope, validateObject } from './validation.js';
import type { WatchEvent } from './watch-hub.js';

export { PatchType } from './patch.js';

export interface MemoryKubeOptions {
  now?: () => Date;
  newUid?: () => string;
  /** How many changes watches can catch up on; older resourceVersions get 410 Expired. */
  watchHistory?: number;
}

export interface WatchOptions extends ListOptions {
  /**
   * Start after this resourceVersion. Unset or `0`: start with an ADDED event per existing
   * object, then follow changes, as the API server does.
   */
  resourceVersion?: string;
  /** A further condition on objects (the HTTP layer's field selector). */
  filter?: (object: KubeObject) => boolean;
}

export interface StatusWriteOptions extends WriteOptions {
  /** When given, must equal the stored resourceVersion (optimistic concurrency). */
  resourceVersion?: string;
}

export interface WriteOptions {
  /** Defaults to `unknown`, as the API server names a writer that gave no name. */
  fieldManager?: string;
  dryRun?: boolean;
}

const PROTECTED_NAMESPACES = ['default', 'kube-system', 'kube-public'];
const SERVER_METADATA = ['uid', 'resourceVersion', 'generation', 'creationTimestamp', 'managedFields', 'selfLink', 'deletionTimestamp', 'deletionGracePeriodSeconds'];

/** `2024-05-01T10:00:00Z`: the API server's timestamps have whole seconds. */
export const formatTime = (date: Date): string => date.toISOString().replace(/\.\d{3}Z$/, 'Z');

/** What `generation` counts changes of: everything but metadata, and status where it is a subresource. */
const specOf = (type: ResourceType, object: KubeObject): Record<string, unknown> => {
  const { metadata: _metadata, status, apiVersion: _apiVersion, ...rest } = object;
  return statusIsSubresource(type) ? rest : { ...rest, status };
};

export class MemoryKube implements KubeClient {
  readonly catalogue = new ResourceCatalogue();
  private readonly store: ObjectStore;
  private readonly now: () => Date;
  private readonly newUid: () => string;

  constructor(options: MemoryKubeOptions = {}) {
    this.now = options.now ?? (() => new Date());
    this.newUid = options.newUid ?? randomUUID;
    this.store = new ObjectStore(options.watchHistory);
    for (const name of PROTECTED_NAMESPACES) {
      this.createSync({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } }, { fieldManager: 'kube-apiserver' });
    }
  }

  /** The cluster-wide resourceVersion, as a list response carries it. */
  resourceVersion(): string {
    return this.store.resourceVersion();
  }

  async apply(object: KubeObject, options: ApplyOptions): Promise<KubeObject> {
    if (!options.fieldManager) throw badRequest('fieldManager is required for apply requests');
    const { type, object: config } = this.prepare(object);
    if (statusIsSubresource(type)) delete config['status'];
    const live = this.store.get(keyOf(type, config));
    this.checkPrecondition(object, live);
    const outcome = planApply({
      live,
      config,
      manager: options.fieldManager,
      force: options.force ?? false,
      keyedLists: type.builtIn,
      time: this.timestamp(),
    });
    if (!outcome.ok) {
      throw new KubeStatusError(409, StatusReason.conflict, describeConflicts(outcome.conflicts), {
        name: config.metadata.name,
        group: type.group,
        kind: type.plural,
        causes: outcome.conflicts.map((c) => ({
          reason: 'FieldManagerConflict',
          message: `conflict with ${JSON.stringify(c.manager)} using ${c.apiVersion}`,
          field: formatPath(c.path),
        })),
      });
    }
    return this.commit(type, live, outcome.object, options.dryRun ?? false);
  }

  async get(ref: ObjectRef): Promise<KubeObject | undefined> {
    const type = this.resolve(ref.apiVersion, ref.kind);
    const found = this.store.get(keyOf(type, refMetadata(ref)));
    return found === undefined ? undefined : this.present(type, found);
  }

  async list(apiVersion: string, kind: string, options: ListOptions = {}): Promise<KubeObject[]> {
    const type = this.resolve(apiVersion, kind);
    const selector = parseLabelSelector(options.labelSelector ?? '');
    if (!selector.ok) throw badRequest(selector.error);
    const namespace = type.namespaced ? options.namespace : undefined;
    return this.store
      .ofKind(kindKeyOf(type), namespace)
      .map(([, object]) => object)
      .filter((object) => matchesSelector(object.metadata.labels, selector.requirements))
      .map((object) => this.present(type, object));
  }

  async scopeOf(apiVersion: string, kind: string): Promise<ResourceScope | undefined> {
    const type = this.catalogue.byKind(apiVersion, kind);
    return type === undefined ? undefined : type.namespaced ? 'Namespaced' : 'Cluster';
  }

  async delete(ref: ObjectRef): Promise<boolean> {
    return this.remove(ref) !== undefined;
  }

  /**
   * Deletes and returns the object as it was, or `undefined` when there was none. An object with
   * finalizers is only marked for deletion (`deletionTimestamp`), and returned as marked.
   */
  remove(ref: ObjectRef): KubeObject | undefined {
    const type = this.resolve(ref.apiVersion, ref.kind);
    const key = keyOf(type, refMetadata(ref));
    const found = this.store.get(key);
    if (found === undefined) return undefined;
    if (type.kind === 'Namespace' && type.group === '' && PROTECTED_NAMESPACES.includes(ref.name)) {
      throw new KubeStatusError(403, StatusReason.forbidden, `namespaces ${JSON.stringify(ref.name)} is forbidden: this namespace may not be deleted`);
    }
    if (finalizersOf(found).length > 0) {
      if (isDeleting(found)) return this.present(type, found);
      const marked = markedForDeletion(found, this.timestamp());
      this.store.put(kindKeyOf(type), key, marked, found);
      return this.present(type, marked);
    }
    this.drop(type, key, found);
    return this.present(type, found);
  }

  /**
   * Follows changes to objects of a kind, calling `onEvent` for each (synchronously, in
   * resourceVersion order) until the returned function is called. Without a `resourceVersion`
   * it starts with an ADDED event per existing object. One older than the kept history gives a
   * single `ERROR` event with a 410 Expired Status, and nothing more.
   */
  /** The port's watch: changes only, from now. */
  watchChanges(apiVersion: string, kind: string, options: ListOptions, onChange: (type: WatchChange, object: KubeObject) => void): () => void {
    return this.watch(apiVersion, kind, { ...options, resourceVersion: this.resourceVersion() }, (event) => {
      if (event.type !== 'ERROR') onChange(event.type, event.object);
    });
  }

  watch(apiVersion: string, kind: string, options: WatchOptions, onEvent: (event: WatchEvent) => void): () => void {
    const type = this.resolve(apiVersion, kind);
    const selector = parseLabelSelector(options.labelSelector ?? '');
    if (!selector.ok) throw badRequest(selector.error);
    const namespace = type.namespaced ? options.namespace : undefined;
    return this.store.follow(kindKeyOf(type), options.resourceVersion ?? '', {
      matches: (object) =>
        (namespace === undefined || object.metadata.namespace === namespace) &&
        matchesSelector(object.metadata.labels, selector.requirements) &&
        (options.filter?.(object) ?? true),
      event: (eventType, object) => onEvent({ type: eventType, object: this.present(type, object) }),
      expired: (status) => onEvent({ type: 'ERROR', object: status }),
    });
  }

  /** POST: creates, or fails with 409 `AlreadyExists`. The writer owns every field (`Update`). */
  async create(object: KubeObject, options: WriteOptions = {}): Promise<KubeObject> {
    return this.createSync(object, options);
  }

  /** PUT: replaces the whole object (but not a status subresource); `metadata.resourceVersion`, if given, must match. */
  async update(object: KubeObject, options: WriteOptions = {}): Promise<KubeObject> {
    const { type, object: next } = this.prepare(object);
    const live = this.store.get(keyOf(type, next));
    if (live === undefined) throw notFoundError(type, next.metadata.name);
    this.checkPrecondition(object, live);
    return this.write(type, live, next, options);
  }

  /** PATCH with a merge, strategic-merge or JSON patch, as an `Update` by the writer. */
  async patch(ref: ObjectRef, patchType: PatchType, patch: unknown, options: WriteOptions = {}): Promise<KubeObject> {
    const type = this.resolve(ref.apiVersion, ref.kind);
    const stored = this.store.get(keyOf(type, refMetadata(ref)));
    if (stored === undefined) throw notFoundError(type, ref.name);
    const live = this.present(type, stored);
    if (patchType !== PatchType.json && !isObject(patch)) throw badRequest('a merge patch must be a JSON object');
    const patched = patchWith(live, patchType, patch);
    if (!patched.ok) throw new KubeStatusError(422, StatusReason.invalid, `the JSON patch could not be applied: ${patched.error}`);
    const { object: next } = this.prepare(patched.value);
    if (next.metadata.name !== ref.name || (type.namespaced && next.metadata.namespace !== live.metadata.namespace)) {
      throw new KubeStatusError(422, StatusReason.invalid, `${qualifiedName(type, ref.name)} is invalid: metadata.name: Invalid value: field is immutable`);
    }
    this.checkPrecondition(patched.value, stored);
    return this.write(type, stored, next, options);
  }

  /**
   * Replaces the status only, as a controller does through the `status` subresource: the spec and
   * `generation` stay as they are. A named writer is recorded in managedFields for `status`.
   */
  async updateStatus(ref: ObjectRef, status: unknown, options: StatusWriteOptions = {}): Promise<KubeObject> {
    const type = this.resolve(ref.apiVersion, ref.kind);
    const key = keyOf(type, refMetadata(ref));
    const live = this.store.get(key);
    if (live === undefined) throw notFoundError(type, ref.name);
    this.checkPrecondition({ metadata: { resourceVersion: options.resourceVersion } }, live);
    let next = structuredClone(live);
    if (status === undefined) delete next['status'];
    else next['status'] = structuredClone(status);
    if (isDeepStrictEqual(next['status'], live['status'])) return this.present(type, live);
    if (options.fieldManager !== undefined) {
      next = planUpdate({ live, next, manager: options.fieldManager, keyedLists: type.builtIn, time: this.timestamp(), subresource: 'status' });
    }
    if (options.dryRun === true) return this.present(type, next);
    this.store.put(kindKeyOf(type), key, next, live);
    return this.present(type, next);
  }

  private createSync(object: unknown, options: WriteOptions): KubeObject {
    const { type, object: next } = this.prepare(object);
    if (this.store.has(keyOf(type, next))) {
      throw new KubeStatusError(409, StatusReason.alreadyExists, `${qualifiedName(type, next.metadata.name)} already exists`, {
        name: next.metadata.name,
        group: type.group,
        kind: type.plural,
      });
    }
    return this.write(type, undefined, next, options);
  }

  private write(type: ResourceType, live: KubeObject | undefined, next: KubeObject, options: WriteOptions): KubeObject {
    // Where status is a subresource, writes to the main resource never change it; controllers own it.
    if (statusIsSubresource(type)) {
      if (live?.['status'] !== undefined) next['status'] = structuredClone(live['status']);
      else delete next['status'];
    }
    const planned = planUpdate({ live, next, manager: options.fieldManager ?? 'unknown', keyedLists: type.builtIn, time: this.timestamp() });
    return this.commit(type, live, planned, options.dryRun ?? false);
  }

  /** Stamps server metadata and stores `next`, unless it changes nothing or this is a dry run. */
  private commit(type: ResourceType, live: KubeObject | undefined, next: KubeObject, dryRun: boolean): KubeObject {
    const metadata = next.metadata;
    if (live === undefined) {
      metadata.uid = this.newUid();
      metadata.creationTimestamp = this.timestamp();
      metadata.generation = 1;
      const status = serverStatus(next, this.timestamp());
      if (status !== undefined) next['status'] = status;
    } else {
      metadata.uid = live.metadata.uid;
      metadata.creationTimestamp = live.metadata.creationTimestamp;
      keepDeletionMarks(type, live, next);
      const generation = live.metadata.generation ?? 1;
      metadata.generation = isDeepStrictEqual(specOf(type, next), specOf(type, live)) ? generation : generation + 1;
      metadata.resourceVersion = live.metadata.resourceVersion;
      if (isDeepStrictEqual(next, live)) return this.present(type, live);
    }
    if (dryRun) return this.present(type, next);
    const key = keyOf(type, next);
    // The write that removes the last finalizer of an object being deleted completes the deletion.
    if (live !== undefined && isDeleting(next) && finalizersOf(next).length === 0) {
      this.drop(type, key, next);
      return this.present(type, next);
    }
    this.store.put(kindKeyOf(type), key, next, live);
    if (type.kind === 'CustomResourceDefinition') this.register(next);
    return this.present(type, next);
  }

  /** Removes an object for good, and with it what it owns, as the API server's collectors do. */
  private drop(type: ResourceType, key: string, last: KubeObject): void {
    this.store.delete(kindKeyOf(type), key, last);
    if (type.kind === 'Namespace' && type.group === '') this.dropWhere((k) => namespaceOfKey(k) === last.metadata.name);
    if (type.kind === 'CustomResourceDefinition') {
      const [first] = typesFromCrd(last);
      if (first === undefined) return;
      this.dropWhere((k) => k.startsWith(`${kindKeyOf(first)}|`));
      this.catalogue.replaceKind(first.group, first.kind, []);
    }
  }

  private dropWhere(predicate: (key: string) => boolean): void {
    for (const key of this.store.keys().filter(predicate)) {
      const object = this.store.get(key);
      const type = object === undefined ? undefined : this.catalogue.all().find((t) => kindKeyOf(t) === key.split('|', 2).join('|'));
      if (object !== undefined && type !== undefined) this.drop(type, key, object);
    }
  }

  /** Validates an incoming object and normalises it into a fresh copy the caller may change. */
  private prepare(input: unknown): { type: ResourceType; object: KubeObject } {
    const envelope = validateEnvelope(input);
    if (envelope.length > 0) throw invalidError(undefined, input, envelope);
    const object = structuredClone(input) as KubeObject;
    const type = this.resolve(object.apiVersion, object.kind);
    const causes = validateObject(object, type);
    if (causes.length > 0) throw invalidError(type, object, causes);
    for (const field of SERVER_METADATA) delete object.metadata[field];
    if (type.namespaced) {
      object.metadata.namespace ??= 'default';
      const namespace = object.metadata.namespace;
      if (!this.store.has(`|Namespace||${namespace}`)) {
        throw new KubeStatusError(404, StatusReason.notFound, `namespaces ${JSON.stringify(namespace)} not found`, { name: namespace, kind: 'namespaces' });
      }
    }
    return { type, object };
  }

  private checkPrecondition(request: unknown, live: KubeObject | undefined): void {
    const wanted = isObject(request) && isObject(request['metadata']) ? request['metadata']['resourceVersion'] : undefined;
    if (typeof wanted === 'string' && wanted !== '' && live !== undefined && wanted !== live.metadata.resourceVersion) {
      throw new KubeStatusError(409, StatusReason.conflict, `Operation cannot be fulfilled on ${qualifiedName(this.resolve(live.apiVersion, live.kind), live.metadata.name)}: the object has been modified; please apply your changes to the latest version and try again`);
    }
  }

  private resolve(apiVersion: string, kind: string): ResourceType {
    const type = this.catalogue.byKind(apiVersion, kind);
    if (type === undefined) {
      throw new KubeStatusError(404, StatusReason.notFound, `no matches for kind ${JSON.stringify(kind)} in version ${JSON.stringify(apiVersion)}`, { kind });
    }
    return type;
  }

  /** A copy for the caller, in the version it asked for (versions of a kind share storage). */
  private present(type: ResourceType, object: KubeObject): KubeObject {
    const copy = structuredClone(object);
    copy.apiVersion = type.group === '' ? type.version : `${type.group}/${type.version}`;
    return copy;
  }

  private timestamp(): string {
    return formatTime(this.now());
  }

  private register(crd: KubeObject): void {
    const types = typesFromCrd(crd);
    const first = types[0];
    if (first !== undefined) this.catalogue.replaceKind(first.group, first.kind, types);
  }
}

const refMetadata = (ref: ObjectRef): { metadata: { name: string; namespace?: string | undefined } } => ({
  metadata: { name: ref.name, namespace: ref.namespace },
});
