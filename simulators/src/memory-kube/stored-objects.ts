/**
 * How the simulated API server stores a write: validation and defaulting of what comes in,
 * server metadata (uid, generation, timestamps), finalizers completing a deletion, the
 * garbage collection of what a deleted Namespace or CRD owned, and CRDs registering their kinds.
 * `MemoryKube` maps the API's verbs onto it.
 */
import { isDeepStrictEqual } from 'node:util';
import type { KubeObject } from '../../../agent/src/core/kube-object.js';
import type { Clock } from '../../../shared/src/time/clock.js';
import { ResourceCatalogue, statusIsSubresource, typesFromCrd } from './catalogue.js';
import type { ResourceType } from './catalogue.js';
import { finalizersOf, isDeleting, keepDeletionMarks } from './deletion.js';
import { isObject } from './field-path.js';
import { keyOf, kindKeyOf, namespaceOfKey, ObjectStore } from './object-store.js';
import { serverStatus } from './server-defaults.js';
import { planUpdate } from './server-side-apply.js';
import { invalidError, KubeStatusError, qualifiedName, StatusReason } from './status-error.js';
import { validateEnvelope, validateObject } from './validation.js';

export interface WriteOptions {
  /** Defaults to `unknown`, as the API server names a writer that gave no name. */
  fieldManager?: string;
  dryRun?: boolean;
}

const SERVER_METADATA = ['uid', 'resourceVersion', 'generation', 'creationTimestamp', 'managedFields', 'selfLink', 'deletionTimestamp', 'deletionGracePeriodSeconds'];

/** `2024-05-01T10:00:00Z`: the API server's timestamps have whole seconds. */
export const formatTime = (date: Date): string => date.toISOString().replace(/\.\d{3}Z$/, 'Z');

/** What `generation` counts changes of: everything but metadata, and status where it is a subresource. */
const specOf = (type: ResourceType, object: KubeObject): Record<string, unknown> => {
  const { metadata: _metadata, status, apiVersion: _apiVersion, ...rest } = object;
  return statusIsSubresource(type) ? rest : { ...rest, status };
};

export class StoredObjects {
  readonly catalogue = new ResourceCatalogue();
  readonly store: ObjectStore;

  constructor(
    private readonly clock: Pick<Clock, 'now'>,
    private readonly newUid: () => string,
    watchHistory?: number,
  ) {
    this.store = new ObjectStore(watchHistory);
  }

  createSync(object: unknown, options: WriteOptions): KubeObject {
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

  write(type: ResourceType, live: KubeObject | undefined, next: KubeObject, options: WriteOptions): KubeObject {
    // Where status is a subresource, writes to the main resource never change it; controllers own it.
    if (statusIsSubresource(type)) {
      if (live?.['status'] !== undefined) next['status'] = structuredClone(live['status']);
      else delete next['status'];
    }
    const planned = planUpdate({ live, next, manager: options.fieldManager ?? 'unknown', keyedLists: type.builtIn, time: this.timestamp() });
    return this.commit(type, live, planned, options.dryRun ?? false);
  }

  /** Stamps server metadata and stores `next`, unless it changes nothing or this is a dry run. */
  commit(type: ResourceType, live: KubeObject | undefined, next: KubeObject, dryRun: boolean): KubeObject {
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
  drop(type: ResourceType, key: string, last: KubeObject): void {
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
  prepare(input: unknown): { type: ResourceType; object: KubeObject } {
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

  checkPrecondition(request: unknown, live: KubeObject | undefined): void {
    const wanted = isObject(request) && isObject(request['metadata']) ? request['metadata']['resourceVersion'] : undefined;
    if (typeof wanted === 'string' && wanted !== '' && live !== undefined && wanted !== live.metadata.resourceVersion) {
      throw new KubeStatusError(409, StatusReason.conflict, `Operation cannot be fulfilled on ${qualifiedName(this.resolve(live.apiVersion, live.kind), live.metadata.name)}: the object has been modified; please apply your changes to the latest version and try again`);
    }
  }

  resolve(apiVersion: string, kind: string): ResourceType {
    const type = this.catalogue.byKind(apiVersion, kind);
    if (type === undefined) {
      throw new KubeStatusError(404, StatusReason.notFound, `no matches for kind ${JSON.stringify(kind)} in version ${JSON.stringify(apiVersion)}`, { kind });
    }
    return type;
  }

  /** A copy for the caller, in the version it asked for (versions of a kind share storage). */
  present(type: ResourceType, object: KubeObject): KubeObject {
    const copy = structuredClone(object);
    copy.apiVersion = type.group === '' ? type.version : `${type.group}/${type.version}`;
    return copy;
  }

  timestamp(): string {
    return formatTime(new Date(this.clock.now()));
  }

  private register(crd: KubeObject): void {
    const types = typesFromCrd(crd);
    const first = types[0];
    if (first !== undefined) this.catalogue.replaceKind(first.group, first.kind, types);
  }
}
