/**
 * An in-process Kubernetes cluster: the same answers as an API server for what the agent and
 * kubectl do (server-side apply with field ownership, create, replace, patch, get, list by label,
 * delete), without controllers. The engine of the simulated Kubernetes API.
 */
import { randomUUID } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import type { ApplyOptions, KubeClient, KubeObject, ListOptions, ObjectRef, ResourceScope } from '../../ports/kube.js';
import { ResourceCatalogue, typesFromCrd } from './catalogue.js';
import type { ResourceType } from './catalogue.js';
import { formatPath, isObject } from './field-path.js';
import { matchesSelector, parseLabelSelector } from './label-selector.js';
import { jsonPatch, mergePatch, strategicMergePatch } from './patch.js';
import { serverStatus } from './server-defaults.js';
import { describeConflicts, planApply, planUpdate } from './server-side-apply.js';
import { badRequest, invalidError, KubeStatusError, notFoundError, qualifiedName, StatusReason } from './status-error.js';
import { validateEnvelope, validateObject } from './validation.js';

export interface MemoryKubeOptions {
  now?: () => Date;
  newUid?: () => string;
}

export interface WriteOptions {
  /** Defaults to `unknown`, as the API server names a writer that gave no name. */
  fieldManager?: string;
  dryRun?: boolean;
}

export const PatchType = { merge: 'merge', strategic: 'strategic', json: 'json' } as const;
export type PatchType = (typeof PatchType)[keyof typeof PatchType];

const PROTECTED_NAMESPACES = ['default', 'kube-system', 'kube-public'];
const SERVER_METADATA = ['uid', 'resourceVersion', 'generation', 'creationTimestamp', 'managedFields', 'selfLink', 'deletionTimestamp'];

/** `2024-05-01T10:00:00Z`: the API server's timestamps have whole seconds. */
export const formatTime = (date: Date): string => date.toISOString().replace(/\.\d{3}Z$/, 'Z');

const specOf = (object: KubeObject): Record<string, unknown> => {
  const { metadata: _metadata, status: _status, apiVersion: _apiVersion, ...rest } = object;
  return rest;
};

export class MemoryKube implements KubeClient {
  readonly catalogue = new ResourceCatalogue();
  private readonly objects = new Map<string, KubeObject>();
  private revision = 0;
  private readonly now: () => Date;
  private readonly newUid: () => string;

  constructor(options: MemoryKubeOptions = {}) {
    this.now = options.now ?? (() => new Date());
    this.newUid = options.newUid ?? randomUUID;
    for (const name of PROTECTED_NAMESPACES) {
      this.createSync({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } }, { fieldManager: 'kube-apiserver' });
    }
  }

  /** The cluster-wide resourceVersion, as a list response carries it. */
  resourceVersion(): string {
    return String(this.revision);
  }

  async apply(object: KubeObject, options: ApplyOptions): Promise<KubeObject> {
    if (!options.fieldManager) throw badRequest('fieldManager is required for apply requests');
    const { type, object: config } = this.prepare(object);
    delete config['status'];
    const live = this.objects.get(this.keyOf(type, config));
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
    const found = this.objects.get(this.keyOf(type, { metadata: { name: ref.name, namespace: ref.namespace } }));
    return found === undefined ? undefined : this.present(type, found);
  }

  async list(apiVersion: string, kind: string, options: ListOptions = {}): Promise<KubeObject[]> {
    const type = this.resolve(apiVersion, kind);
    const selector = parseLabelSelector(options.labelSelector ?? '');
    if (!selector.ok) throw badRequest(selector.error);
    const namespace = type.namespaced ? options.namespace : undefined;
    const prefix = `${type.group}|${type.kind}|${namespace ?? ''}`;
    return [...this.objects.entries()]
      .filter(([key]) => (namespace === undefined ? key.startsWith(`${type.group}|${type.kind}|`) : key.startsWith(`${prefix}|`)))
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
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

  /** Deletes and returns the object as it was, or `undefined` when there was none. */
  remove(ref: ObjectRef): KubeObject | undefined {
    const type = this.resolve(ref.apiVersion, ref.kind);
    const key = this.keyOf(type, { metadata: { name: ref.name, namespace: ref.namespace } });
    const found = this.objects.get(key);
    if (found === undefined) return undefined;
    if (type.kind === 'Namespace' && type.group === '' && PROTECTED_NAMESPACES.includes(ref.name)) {
      throw new KubeStatusError(403, StatusReason.forbidden, `namespaces ${JSON.stringify(ref.name)} is forbidden: this namespace may not be deleted`);
    }
    this.objects.delete(key);
    this.revision++;
    // Namespaces and CRDs own what lives in them; the real server removes it in the background.
    if (type.kind === 'Namespace' && type.group === '') this.removeWhere((k) => k.split('|')[2] === ref.name);
    if (type.kind === 'CustomResourceDefinition') this.unregister(found);
    return this.present(type, found);
  }

  /** POST: creates, or fails with 409 `AlreadyExists`. The writer owns every field (`Update`). */
  async create(object: KubeObject, options: WriteOptions = {}): Promise<KubeObject> {
    return this.createSync(object, options);
  }

  /** PUT: replaces the whole object (but not its status); `metadata.resourceVersion`, if given, must match. */
  async update(object: KubeObject, options: WriteOptions = {}): Promise<KubeObject> {
    const { type, object: next } = this.prepare(object);
    const live = this.objects.get(this.keyOf(type, next));
    if (live === undefined) throw notFoundError(type, next.metadata.name);
    this.checkPrecondition(object, live);
    return this.write(type, live, next, options);
  }

  /** PATCH with a merge, strategic-merge or JSON patch, as an `Update` by the writer. */
  async patch(ref: ObjectRef, patchType: PatchType, patch: unknown, options: WriteOptions = {}): Promise<KubeObject> {
    const type = this.resolve(ref.apiVersion, ref.kind);
    const stored = this.objects.get(this.keyOf(type, { metadata: { name: ref.name, namespace: ref.namespace } }));
    if (stored === undefined) throw notFoundError(type, ref.name);
    const live = this.present(type, stored);
    let patched: unknown;
    if (patchType === PatchType.json) {
      const result = jsonPatch(live, patch);
      if (!result.ok) throw new KubeStatusError(422, StatusReason.invalid, `the JSON patch could not be applied: ${result.error}`);
      patched = result.value;
    } else {
      if (!isObject(patch)) throw badRequest('a merge patch must be a JSON object');
      patched = patchType === PatchType.merge ? mergePatch(live, patch) : strategicMergePatch(live, patch);
    }
    const { object: next } = this.prepare(patched);
    if (next.metadata.name !== ref.name || (type.namespaced && next.metadata.namespace !== live.metadata.namespace)) {
      throw new KubeStatusError(422, StatusReason.invalid, `${qualifiedName(type, ref.name)} is invalid: metadata.name: Invalid value: field is immutable`);
    }
    this.checkPrecondition(patched, stored);
    return this.write(type, stored, next, options);
  }

  /** Replaces the status only, as a controller does through the `status` subresource. */
  async updateStatus(ref: ObjectRef, status: unknown): Promise<KubeObject> {
    const type = this.resolve(ref.apiVersion, ref.kind);
    const live = this.objects.get(this.keyOf(type, { metadata: { name: ref.name, namespace: ref.namespace } }));
    if (live === undefined) throw notFoundError(type, ref.name);
    const next = structuredClone(live);
    if (status === undefined) delete next['status'];
    else next['status'] = structuredClone(status);
    if (isDeepStrictEqual(next, live)) return this.present(type, live);
    next.metadata.resourceVersion = String(++this.revision);
    this.objects.set(this.keyOf(type, next), next);
    return this.present(type, next);
  }

  private createSync(object: unknown, options: WriteOptions): KubeObject {
    const { type, object: next } = this.prepare(object);
    if (this.objects.has(this.keyOf(type, next))) {
      throw new KubeStatusError(409, StatusReason.alreadyExists, `${qualifiedName(type, next.metadata.name)} already exists`, {
        name: next.metadata.name,
        group: type.group,
        kind: type.plural,
      });
    }
    return this.write(type, undefined, next, options);
  }

  private write(type: ResourceType, live: KubeObject | undefined, next: KubeObject, options: WriteOptions): KubeObject {
    // Writes to the main resource never change status; controllers own it.
    if (live?.['status'] !== undefined) next['status'] = structuredClone(live['status']);
    else delete next['status'];
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
      const generation = live.metadata.generation ?? 1;
      metadata.generation = isDeepStrictEqual(specOf(next), specOf(live)) ? generation : generation + 1;
      metadata.resourceVersion = live.metadata.resourceVersion;
      if (isDeepStrictEqual(next, live)) return this.present(type, live);
    }
    if (dryRun) return this.present(type, next);
    metadata.resourceVersion = String(++this.revision);
    this.objects.set(this.keyOf(type, next), next);
    if (type.kind === 'CustomResourceDefinition') this.register(next);
    return this.present(type, next);
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
      if (!this.objects.has(`|Namespace||${namespace}`)) {
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

  private keyOf(type: ResourceType, object: { metadata: { name: string; namespace?: string | undefined } }): string {
    const namespace = type.namespaced ? (object.metadata.namespace ?? 'default') : '';
    return `${type.group}|${type.kind}|${namespace}|${object.metadata.name}`;
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

  private unregister(crd: KubeObject): void {
    const [first] = typesFromCrd(crd);
    if (first === undefined) return;
    this.catalogue.replaceKind(first.group, first.kind, []);
    this.removeWhere((key) => key.startsWith(`${first.group}|${first.kind}|`));
  }

  private removeWhere(predicate: (key: string) => boolean): void {
    for (const key of [...this.objects.keys()]) if (predicate(key)) this.objects.delete(key);
  }
}
