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
import { statusIsSubresource } from './catalogue.js';
import type { ResourceCatalogue } from './catalogue.js';
import { finalizersOf, isDeleting, markedForDeletion } from './deletion.js';
import { formatPath, isObject } from './field-path.js';
import { matchesSelector, parseLabelSelector } from './label-selector.js';
import { keyOf, kindKeyOf } from './object-store.js';
import type { ObjectStore } from './object-store.js';
import { PatchType, patchWith } from './patch.js';
import { describeConflicts, planApply, planUpdate } from './server-side-apply.js';
import { badRequest, KubeStatusError, notFoundError, qualifiedName, StatusReason } from './status-error.js';
import { StoredObjects } from './stored-objects.js';
import type { WriteOptions } from './stored-objects.js';
import { systemClock } from '../../../shared/src/time/clock.js';
import type { Clock } from '../../../shared/src/time/clock.js';
import type { WatchEvent } from './watch-hub.js';

export { PatchType } from './patch.js';

export interface MemoryKubeOptions {
  /** Where timestamps come from (default: the system clock). */
  clock?: Pick<Clock, 'now'>;
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

const PROTECTED_NAMESPACES = ['default', 'kube-system', 'kube-public'];

export class MemoryKube implements KubeClient {
  readonly catalogue: ResourceCatalogue;
  private readonly objects: StoredObjects;
  private readonly store: ObjectStore;

  constructor(options: MemoryKubeOptions = {}) {
    this.objects = new StoredObjects(options.clock ?? systemClock, options.newUid ?? randomUUID, options.watchHistory);
    this.catalogue = this.objects.catalogue;
    this.store = this.objects.store;
    for (const name of PROTECTED_NAMESPACES) {
      this.objects.createSync({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } }, { fieldManager: 'kube-apiserver' });
    }
  }

  /** The cluster-wide resourceVersion, as a list response carries it. */
  resourceVersion(): string {
    return this.store.resourceVersion();
  }

  async apply(object: KubeObject, options: ApplyOptions): Promise<KubeObject> {
    if (!options.fieldManager) throw badRequest('fieldManager is required for apply requests');
    const { type, object: config } = this.objects.prepare(object);
    if (statusIsSubresource(type)) delete config['status'];
    const live = this.store.get(keyOf(type, config));
    this.objects.checkPrecondition(object, live);
    const outcome = planApply({
      live,
      config,
      manager: options.fieldManager,
      force: options.force ?? false,
      keyedLists: type.builtIn,
      time: this.objects.timestamp(),
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
    return this.objects.commit(type, live, outcome.object, options.dryRun ?? false);
  }

  async get(ref: ObjectRef): Promise<KubeObject | undefined> {
    const type = this.objects.resolve(ref.apiVersion, ref.kind);
    const found = this.store.get(keyOf(type, refMetadata(ref)));
    return found === undefined ? undefined : this.objects.present(type, found);
  }

  async list(apiVersion: string, kind: string, options: ListOptions = {}): Promise<KubeObject[]> {
    const type = this.objects.resolve(apiVersion, kind);
    const selector = parseLabelSelector(options.labelSelector ?? '');
    if (!selector.ok) throw badRequest(selector.error);
    const namespace = type.namespaced ? options.namespace : undefined;
    return this.store
      .ofKind(kindKeyOf(type), namespace)
      .map(([, object]) => object)
      .filter((object) => matchesSelector(object.metadata.labels, selector.requirements))
      .map((object) => this.objects.present(type, object));
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
    const type = this.objects.resolve(ref.apiVersion, ref.kind);
    const key = keyOf(type, refMetadata(ref));
    const found = this.store.get(key);
    if (found === undefined) return undefined;
    if (type.kind === 'Namespace' && type.group === '' && PROTECTED_NAMESPACES.includes(ref.name)) {
      throw new KubeStatusError(403, StatusReason.forbidden, `namespaces ${JSON.stringify(ref.name)} is forbidden: this namespace may not be deleted`);
    }
    if (finalizersOf(found).length > 0) {
      if (isDeleting(found)) return this.objects.present(type, found);
      const marked = markedForDeletion(found, this.objects.timestamp());
      this.store.put(kindKeyOf(type), key, marked, found);
      return this.objects.present(type, marked);
    }
    this.objects.drop(type, key, found);
    return this.objects.present(type, found);
  }

  /** The port's watch: changes only, from now. */
  watchChanges(apiVersion: string, kind: string, options: ListOptions, onChange: (type: WatchChange, object: KubeObject) => void): () => void {
    return this.watch(apiVersion, kind, { ...options, resourceVersion: this.resourceVersion() }, (event) => {
      if (event.type !== 'ERROR') onChange(event.type, event.object);
    });
  }

  /**
   * Follows changes to objects of a kind, calling `onEvent` for each (synchronously, in
   * resourceVersion order) until the returned function is called. Without a `resourceVersion`
   * it starts with an ADDED event per existing object. One older than the kept history gives a
   * single `ERROR` event with a 410 Expired Status, and nothing more.
   */
  watch(apiVersion: string, kind: string, options: WatchOptions, onEvent: (event: WatchEvent) => void): () => void {
    const type = this.objects.resolve(apiVersion, kind);
    const selector = parseLabelSelector(options.labelSelector ?? '');
    if (!selector.ok) throw badRequest(selector.error);
    const namespace = type.namespaced ? options.namespace : undefined;
    return this.store.follow(kindKeyOf(type), options.resourceVersion ?? '', {
      matches: (object) =>
        (namespace === undefined || object.metadata.namespace === namespace) &&
        matchesSelector(object.metadata.labels, selector.requirements) &&
        (options.filter?.(object) ?? true),
      event: (eventType, object) => onEvent({ type: eventType, object: this.objects.present(type, object) }),
      expired: (status) => onEvent({ type: 'ERROR', object: status }),
    });
  }

  /** POST: creates, or fails with 409 `AlreadyExists`. The writer owns every field (`Update`). */
  async create(object: KubeObject, options: WriteOptions = {}): Promise<KubeObject> {
    return this.objects.createSync(object, options);
  }

  /** PUT: replaces the whole object (but not a status subresource); `metadata.resourceVersion`, if given, must match. */
  async update(object: KubeObject, options: WriteOptions = {}): Promise<KubeObject> {
    const { type, object: next } = this.objects.prepare(object);
    const live = this.store.get(keyOf(type, next));
    if (live === undefined) throw notFoundError(type, next.metadata.name);
    this.objects.checkPrecondition(object, live);
    return this.objects.write(type, live, next, options);
  }

  /** PATCH with a merge, strategic-merge or JSON patch, as an `Update` by the writer. */
  async patch(ref: ObjectRef, patchType: PatchType, patch: unknown, options: WriteOptions = {}): Promise<KubeObject> {
    const type = this.objects.resolve(ref.apiVersion, ref.kind);
    const stored = this.store.get(keyOf(type, refMetadata(ref)));
    if (stored === undefined) throw notFoundError(type, ref.name);
    const live = this.objects.present(type, stored);
    if (patchType !== PatchType.json && !isObject(patch)) throw badRequest('a merge patch must be a JSON object');
    const patched = patchWith(live, patchType, patch);
    if (!patched.ok) throw new KubeStatusError(422, StatusReason.invalid, `the JSON patch could not be applied: ${patched.error}`);
    const { object: next } = this.objects.prepare(patched.value);
    if (next.metadata.name !== ref.name || (type.namespaced && next.metadata.namespace !== live.metadata.namespace)) {
      throw new KubeStatusError(422, StatusReason.invalid, `${qualifiedName(type, ref.name)} is invalid: metadata.name: Invalid value: field is immutable`);
    }
    this.objects.checkPrecondition(patched.value, stored);
    return this.objects.write(type, stored, next, options);
  }

  /**
   * Replaces the status only, as a controller does through the `status` subresource: the spec and
   * `generation` stay as they are. A named writer is recorded in managedFields for `status`.
   */
  async updateStatus(ref: ObjectRef, status: unknown, options: StatusWriteOptions = {}): Promise<KubeObject> {
    const type = this.objects.resolve(ref.apiVersion, ref.kind);
    const key = keyOf(type, refMetadata(ref));
    const live = this.store.get(key);
    if (live === undefined) throw notFoundError(type, ref.name);
    this.objects.checkPrecondition({ metadata: { resourceVersion: options.resourceVersion } }, live);
    let next = structuredClone(live);
    if (status === undefined) delete next['status'];
    else next['status'] = structuredClone(status);
    if (isDeepStrictEqual(next['status'], live['status'])) return this.objects.present(type, live);
    if (options.fieldManager !== undefined) {
      next = planUpdate({ live, next, manager: options.fieldManager, keyedLists: type.builtIn, time: this.objects.timestamp(), subresource: 'status' });
    }
    if (options.dryRun === true) return this.objects.present(type, next);
    this.store.put(kindKeyOf(type), key, next, live);
    return this.objects.present(type, next);
  }
}

const refMetadata = (ref: ObjectRef): { metadata: { name: string; namespace?: string | undefined } } => ({
  metadata: { name: ref.name, namespace: ref.namespace },
});
