/**
 * The `scale` and `status` subresources: how `kubectl scale` changes replicas, and how a
 * controller reports status without touching the spec.
 */
import { KubeStatusError, PatchType, patchWith, StatusReason } from '../memory-kube/index.js';
import type { ResourceType } from '../memory-kube/index.js';
import { isObject } from '../memory-kube/field-path.js';
import type { KubeObject, ObjectRef } from '../../../agent/src/core/kube-object.js';
import { decodeBody } from './request-body.js';
import { contentTypeOf, existing, methodNotAllowed, PATCH_TYPES, requireJson, unsupportedMediaType, writeOptions } from './request-context.js';
import type { Reply, RequestContext } from './request-context.js';

export async function handleSubresource(context: RequestContext, type: ResourceType, ref: ObjectRef): Promise<Reply> {
  const { kube } = context;
  const live = await existing(kube, type, ref);
  const view = context.route.subresource === 'scale' ? toScale(live) : live;
  if (context.method === 'GET') return { status: 200, body: view };

  let wanted: unknown;
  if (context.method === 'PUT') {
    requireJson(context);
    wanted = decodeBody(await context.body(), false);
  } else if (context.method === 'PATCH') {
    const contentType = contentTypeOf(context.headers);
    const patchType = PATCH_TYPES[contentType];
    if (patchType === undefined) throw unsupportedMediaType(contentType);
    wanted = patchDocument(view, patchType, decodeBody(await context.body(), patchType === 'apply'));
  } else {
    throw methodNotAllowed(context.method);
  }
  if (!isObject(wanted)) throw new KubeStatusError(400, StatusReason.badRequest, 'the request body must be an object');

  if (context.route.subresource === 'scale') {
    const spec = wanted['spec'];
    const replicas = isObject(spec) ? spec['replicas'] : undefined;
    if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0) {
      throw new KubeStatusError(422, StatusReason.invalid, `Scale.autoscaling ${JSON.stringify(ref.name)} is invalid: spec.replicas: Invalid value: ${JSON.stringify(replicas)}: must be a non-negative integer`);
    }
    const updated = await kube.patch(ref, PatchType.merge, { spec: { replicas } }, writeOptions(context));
    return { status: 200, body: toScale(updated) };
  }
  // Only the status changes through this subresource, whatever else the body says.
  const metadata = isObject(wanted['metadata']) ? wanted['metadata'] : {};
  const resourceVersion = context.method === 'PUT' && typeof metadata['resourceVersion'] === 'string' ? metadata['resourceVersion'] : undefined;
  const options = { ...writeOptions(context), ...(resourceVersion !== undefined ? { resourceVersion } : {}) };
  return { status: 200, body: await kube.updateStatus(ref, wanted['status'], options) };
}

/** Apply on a subresource is approximated as a merge patch: it is for controllers, not the agent. */
function patchDocument(document: unknown, patchType: PatchType | 'apply', patch: unknown): unknown {
  if (patchType !== PatchType.json && !isObject(patch)) throw new KubeStatusError(400, StatusReason.badRequest, 'a merge patch must be a JSON object');
  const result = patchWith(document, patchType === 'apply' ? PatchType.merge : patchType, patch);
  if (!result.ok) throw new KubeStatusError(422, StatusReason.invalid, `the JSON patch could not be applied: ${result.error}`);
  return result.value;
}

/** The autoscaling/v1 Scale view of an object with `spec.replicas`. */
export function toScale(object: KubeObject): Record<string, unknown> {
  const spec = isObject(object['spec']) ? object['spec'] : {};
  const status = isObject(object['status']) ? object['status'] : {};
  const selector = isObject(spec['selector']) && isObject(spec['selector']['matchLabels']) ? spec['selector']['matchLabels'] : {};
  const { name, namespace, uid, resourceVersion, creationTimestamp } = object.metadata;
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: { name, namespace, uid, resourceVersion, creationTimestamp },
    spec: { replicas: typeof spec['replicas'] === 'number' ? spec['replicas'] : 1 },
    status: {
      replicas: typeof status['replicas'] === 'number' ? status['replicas'] : 0,
      selector: Object.entries(selector)
        .map(([k, v]) => `${k}=${String(v)}`)
        .join(','),
    },
  };
}
