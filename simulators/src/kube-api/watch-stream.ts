/**
 * Watches over HTTP (`GET …/{plural}?watch=true`): one JSON event per line, `{type, object}`, on a
 * chunked response that stays open until the client goes away, `timeoutSeconds` pass, or the
 * requested resourceVersion turns out to be too old (an `ERROR` event with a 410 Status, which
 * tells informers to list again).
 */
import type { ServerResponse } from 'node:http';
import { badRequest, groupVersionOf, parseLabelSelector } from '../memory-kube/index.js';
import type { ResourceType, WatchEvent } from '../memory-kube/index.js';
import { parseFieldSelector } from './field-selector.js';
import type { Reply, RequestContext } from './request-context.js';
import { toTable, wantsTable } from './table.js';

export function watchReply(context: RequestContext, type: ResourceType): Reply {
  const { query, kube } = context;
  // Everything that can be refused is checked before the 200 and the stream begin.
  const labelSelector = query.get('labelSelector') ?? '';
  const labels = parseLabelSelector(labelSelector);
  if (!labels.ok) throw badRequest(labels.error);
  const fields = parseFieldSelector(query.get('fieldSelector') ?? '');
  if (!fields.ok) throw badRequest(fields.error);
  const resourceVersion = query.get('resourceVersion') ?? '';
  if (resourceVersion !== '' && !/^\d+$/.test(resourceVersion)) throw badRequest(`invalid resource version ${JSON.stringify(resourceVersion)}`);
  const timeout = query.get('timeoutSeconds');
  const timeoutSeconds = timeout === null ? undefined : Number(timeout);
  if (timeoutSeconds !== undefined && (!Number.isInteger(timeoutSeconds) || timeoutSeconds < 0)) {
    throw badRequest(`timeoutSeconds must be a non-negative integer, not ${JSON.stringify(timeout)}`);
  }
  const asTable = wantsTable(context.headers.accept);
  const namespace = type.namespaced ? context.route.namespace : undefined;

  const stream = (response: ServerResponse): void => {
    response.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-cache, private' });
    response.flushHeaders();
    let closed = false;
    let timer: unknown;
    let unsubscribe = (): void => {};
    const finish = (): void => {
      if (closed) return;
      closed = true;
      unsubscribe();
      if (timer !== undefined) context.timers.clearTimeout(timer);
      response.end();
    };
    response.on('close', finish);
    const send = (event: WatchEvent): void => {
      if (closed) return;
      const object =
        asTable && event.type !== 'ERROR' ? toTable([event.object], event.object.metadata.resourceVersion ?? '', context.clock()) : event.object;
      response.write(`${JSON.stringify({ type: event.type, object })}\n`);
      if (event.type === 'ERROR') finish();
    };
    unsubscribe = kube.watch(
      groupVersionOf(type),
      type.kind,
      { ...(namespace !== undefined ? { namespace } : {}), labelSelector, resourceVersion, filter: fields.matches },
      send,
    );
    // An ERROR while catching up ended the stream before there was anything to unsubscribe.
    if (closed) unsubscribe();
    else if (timeoutSeconds !== undefined) timer = context.timers.setTimeout(finish, timeoutSeconds * 1000);
  };
  return { status: 200, body: undefined, stream };
}
