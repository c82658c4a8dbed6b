/**
 * Requests on resources (`…/{plural}[/{name}[/{subresource}]]`), answered by a MemoryKube the way
 * the API server answers them.
 */
import { badRequest, finalizersOf, isDeleting } from '../memory-kube/index.js';
import type { ResourceType } from '../memory-kube/index.js';
import type { KubeObject, ObjectRef } from '../../../agent/src/core/kube-object.js';
import { parseFieldSelector } from './field-selector.js';
import { decodeBody } from './request-body.js';
import {
  bindToRoute,
  contentTypeOf,
  dryRunOf,
  existing,
  methodNotAllowed,
  notFound,
  PATCH_TYPES,
  requireJson,
  unsupportedMediaType,
  writeOptions,
} from './request-context.js';
import type { Reply, RequestContext } from './request-context.js';
import { notFoundPath, success } from './status.js';
import { handleSubresource } from './subresources.js';
import { toTable, wantsTable } from './table.js';
import { watchReply } from './watch-stream.js';

export async function handleResource(context: RequestContext): Promise<Reply> {
  const { route, kube } = context;
  const type = kube.catalogue.byPlural(route.group, route.version, route.plural);
  if (type === undefined || (!type.namespaced && route.namespace !== undefined)) return { status: 404, body: notFoundPath() };
  const ref: ObjectRef = {
    apiVersion: type.group === '' ? type.version : `${type.group}/${type.version}`,
    kind: type.kind,
    name: route.name ?? '',
    ...(type.namespaced ? { namespace: route.namespace ?? 'default' } : {}),
  };
  if (route.subresource !== undefined) {
    if (!type.subresources.includes(route.subresource) || route.name === undefined) return { status: 404, body: notFoundPath() };
    return handleSubresource(context, type, ref);
  }
  if (route.name === undefined) return handleCollection(context, type, ref);

  switch (context.method) {
    case 'GET': {
      const object = await existing(kube, type, ref);
      if (wantsTable(context.headers.accept)) return { status: 200, body: toTable([object], kube.resourceVersion(), context.now) };
      return { status: 200, body: object };
    }
    case 'PUT': {
      requireJson(context);
      const object = bindToRoute(decodeBody(await context.body(), false), type, route) as KubeObject;
      return { status: 200, body: await kube.update(object, writeOptions(context)) };
    }
    case 'PATCH':
      return patch(context, type, ref);
    case 'DELETE': {
      if (dryRunOf(context.query)) return { status: 200, body: await existing(kube, type, ref) };
      const removed = kube.remove(ref);
      if (removed === undefined) throw notFound(type, ref.name);
      // Still there, waiting for its finalizers: the API server answers with the object itself.
      if (isDeleting(removed) && finalizersOf(removed).length > 0) return { status: 200, body: removed };
      const details = { name: ref.name, group: type.group, kind: type.plural, ...(removed.metadata.uid ? { uid: removed.metadata.uid } : {}) };
      return { status: 200, body: success(details) };
    }
    default:
      throw methodNotAllowed(context.method);
  }
}

async function handleCollection(context: RequestContext, type: ResourceType, ref: ObjectRef): Promise<Reply> {
  const { kube, route } = context;
  switch (context.method) {
    case 'GET': {
      if (context.query.get('watch') === 'true' || context.query.get('watch') === '1') return watchReply(context, type);
      const items = await select(context, type);
      const resourceVersion = kube.resourceVersion();
      if (wantsTable(context.headers.accept)) return { status: 200, body: toTable(items, resourceVersion, context.now) };
      return { status: 200, body: { kind: `${type.kind}List`, apiVersion: ref.apiVersion, metadata: { resourceVersion }, items } };
    }
    case 'POST': {
      requireJson(context);
      const object = bindToRoute(decodeBody(await context.body(), false), type, route) as KubeObject;
      return { status: 201, body: await kube.create(object, writeOptions(context)) };
    }
    case 'DELETE': {
      const items = await select(context, type);
      const dryRun = dryRunOf(context.query);
      const removed = dryRun ? items : items.flatMap((item) => kube.remove(refTo(item, type)) ?? []);
      return { status: 200, body: { kind: `${type.kind}List`, apiVersion: ref.apiVersion, metadata: { resourceVersion: kube.resourceVersion() }, items: removed } };
    }
    default:
      throw methodNotAllowed(context.method);
  }
}

async function patch(context: RequestContext, type: ResourceType, ref: ObjectRef): Promise<Reply> {
  const contentType = contentTypeOf(context.headers);
  const patchType = PATCH_TYPES[contentType];
  if (patchType === undefined) throw unsupportedMediaType(contentType);
  const body = decodeBody(await context.body(), patchType === 'apply');
  const { kube } = context;
  if (patchType !== 'apply') return { status: 200, body: await kube.patch(ref, patchType, body, writeOptions(context)) };

  const fieldManager = context.query.get('fieldManager');
  if (fieldManager === null || fieldManager === '') throw badRequest('fieldManager is required for apply requests');
  const object = bindToRoute(body, type, context.route) as KubeObject;
  const force = context.query.get('force') === 'true';
  const existed = (await kube.get(ref)) !== undefined;
  const stored = await kube.apply(object, { fieldManager, force, dryRun: dryRunOf(context.query) });
  return { status: existed ? 200 : 201, body: stored };
}

/** Objects of a list or delete-collection request, filtered by its label and field selectors. */
async function select(context: RequestContext, type: ResourceType): Promise<KubeObject[]> {
  const apiVersion = type.group === '' ? type.version : `${type.group}/${type.version}`;
  const labelSelector = context.query.get('labelSelector') ?? undefined;
  const fields = parseFieldSelector(context.query.get('fieldSelector') ?? '');
  if (!fields.ok) throw badRequest(fields.error);
  const namespace = context.route.namespace;
  const items = await context.kube.list(apiVersion, type.kind, {
    ...(namespace !== undefined ? { namespace } : {}),
    ...(labelSelector !== undefined ? { labelSelector } : {}),
  });
  return items.filter(fields.matches);
}

const refTo = (object: KubeObject, type: ResourceType): ObjectRef => ({
  apiVersion: object.apiVersion,
  kind: type.kind,
  name: object.metadata.name,
  ...(object.metadata.namespace !== undefined ? { namespace: object.metadata.namespace } : {}),
});
