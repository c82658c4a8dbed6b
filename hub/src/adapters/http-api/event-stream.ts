/**
 * `GET /api/v1/stream`: server-sent events. `rollout` carries a rollout's progress without its
 * per-cluster list on every change, `cluster` a cluster's view after each committed status,
 * presence or label change; a comment every `keepaliveMs` keeps proxies from closing the link.
 * A client that reads too slowly is disconnected rather than buffered without bound; it
 * reconnects and reads the current state again.
 */
import type { ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import type { RolloutEvent } from '../../../../shared/src/api/rollouts.js';
import type { Rollout } from '../../core/rollout/model.js';
import { rolloutDetail } from '../../core/rollout/progress.js';
import type { ClusterChanges } from '../../ingest/cluster-changes.js';
import type { RolloutService } from '../../rollouts/rollout-service.js';

export const KEEPALIVE_MS = 15_000;
const MAX_BUFFERED_BYTES = 1024 * 1024;

/** A rollout's progress as the stream carries it (`STREAM_EVENTS.rollout`): waves with counts, no per-cluster list. */
export function rolloutEvent(rollout: Rollout): RolloutEvent {
  const { clusters: _clusters, ...event } = rolloutDetail(rollout, { clusters: false });
  return event;
}

export interface EventStreamDeps {
  clusterChanges: ClusterChanges;
  rollouts: RolloutService | undefined;
  keepaliveMs?: number;
}

export function eventStreamRoute(app: FastifyInstance, { clusterChanges, rollouts, keepaliveMs = KEEPALIVE_MS }: EventStreamDeps): void {
  const open = new Set<ServerResponse>();
  // Open streams would hold the server's close forever.
  app.addHook('preClose', async () => {
    for (const response of open) response.end();
  });

  app.get('/api/v1/stream', (request, reply) => {
    reply.hijack();
    const response = reply.raw;
    response.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-accel-buffering': 'no' });
    open.add(response);
    const send = (chunk: string) => {
      if (response.writableLength > MAX_BUFFERED_BYTES) response.destroy();
      else response.write(chunk);
    };
    const event = (name: string, data: unknown) => send(`event: ${name}\ndata: ${JSON.stringify(data)}\n\n`);
    const unsubscribe = [
      clusterChanges.on((cluster) => event('cluster', cluster)),
      ...(rollouts ? [rollouts.onChange((rollout) => event('rollout', rolloutEvent(rollout)))] : []),
    ];
    const keepalive = setInterval(() => send(': keepalive\n\n'), keepaliveMs);
    const socket = request.raw.socket;
    response.once('close', () => {
      clearInterval(keepalive);
      for (const off of unsubscribe) off();
      open.delete(response);
      // The connection cannot serve another request after an endless response.
      socket.destroy();
    });
    // Subscribed from here on: a client may now read the current state without missing a change.
    send(': connected\n\n');
    request.log.debug({ by: request.caller?.name }, 'event stream opened');
  });
}
