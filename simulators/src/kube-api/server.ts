/**
 * The simulated Kubernetes API over HTTP: the REST paths kubectl and client libraries use,
 * answered by one MemoryKube per cluster, each with its simulated controllers. Many clusters
 * share one port under `/clusters/{id}`; the default cluster answers at `/`.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { MemoryKube } from '../memory-kube/index.js';
import { backgroundClock } from '../../../shared/src/time/clock.js';
import type { Clock } from '../../../shared/src/time/clock.js';
import { startControllers } from '../kube-controllers/controllers.js';
import type { ControllerOptions, Controllers } from '../kube-controllers/controllers.js';
import { apiGroupList, apiResourceList, apiVersions, SERVER_VERSION } from './discovery.js';
import { readBody, MAX_BODY_BYTES } from './request-body.js';
import { handleResource } from './resource-handler.js';
import { methodNotAllowed } from './request-context.js';
import type { Reply } from './request-context.js';
import { DEFAULT_CLUSTER, parseRoute, splitCluster } from './routes.js';
import { notFoundPath, statusOf } from './status.js';

export interface KubeApiServerOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  host?: string;
  /**
   * Time for object timestamps, the controllers and watch timeouts (default: real time, whose
   * timers do not keep the process alive).
   */
  clock?: Clock;
  logger?: Logger;
  /** Largest request body accepted; larger ones get 413. */
  maxBodyBytes?: number;
  /**
   * Controllers started for every cluster (default: on, ready after 1 s); `false` for none, so
   * that no status ever appears unless a test writes it.
   */
  controllers?: ControllerOptions | false;
  /** Changes each cluster keeps for watches to catch up on. */
  watchHistory?: number;
}

export interface KubeApiServer {
  /** e.g. `http://127.0.0.1:34567`, the default cluster. */
  url: string;
  clusterUrl(id: string): string;
  /** The cluster behind `clusterUrl(id)`, created on first use. */
  cluster(id: string): MemoryKube;
  /** The controllers of a cluster (created with it), or `undefined` when they are off. */
  controllers(id: string): Controllers | undefined;
  close(): Promise<void>;
}

export async function startKubeApiServer(options: KubeApiServerOptions = {}): Promise<KubeApiServer> {
  const clock = options.clock ?? backgroundClock;
  const now = () => new Date(clock.now());
  const logger = options.logger?.child({ component: 'kube-api' });
  const maxBodyBytes = options.maxBodyBytes ?? MAX_BODY_BYTES;
  const clusters = new Map<string, { kube: MemoryKube; controllers: Controllers | undefined }>();
  const entry = (id: string): { kube: MemoryKube; controllers: Controllers | undefined } => {
    let found = clusters.get(id);
    if (found === undefined) {
      const kube = new MemoryKube({ clock, ...(options.watchHistory !== undefined ? { watchHistory: options.watchHistory } : {}) });
      const controllers =
        options.controllers === false
          ? undefined
          : startControllers(kube, {
              clock,
              onError: (error) => logger?.error({ err: error, cluster: id }, 'simulated controller failed'),
              ...options.controllers,
            });
      found = { kube, controllers };
      clusters.set(id, found);
    }
    return found;
  };
  const cluster = (id: string): MemoryKube => entry(id).kube;
  const context = { cluster, now, clock, maxBodyBytes };

  const server = createServer((request, response) => {
    const started = Date.now();
    serve(request, context)
      .catch((error: unknown) => {
        const status = statusOf(error);
        if (status.code >= 500) logger?.error({ err: error, url: request.url }, 'kube-api request failed');
        return { status: status.code, body: status };
      })
      .then((reply) => {
        send(response, reply);
        logger?.debug({ method: request.method, url: request.url, status: reply.status, ms: Date.now() - started }, 'kube-api request');
      })
      .catch((error: unknown) => logger?.error({ err: error }, 'kube-api could not send a response'));
  });

  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
  const host = options.host ?? '127.0.0.1';
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  logger?.info({ url }, 'simulated Kubernetes API listening');

  return {
    url,
    clusterUrl: (id) => `${url}/clusters/${encodeURIComponent(id)}`,
    cluster: (id) => cluster(id),
    controllers: (id) => entry(id).controllers,
    close: () =>
      new Promise<void>((resolve, reject) => {
        for (const { controllers } of clusters.values()) controllers?.stop();
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

interface ServerContext {
  cluster: (id: string) => MemoryKube;
  now: () => Date;
  clock: Clock;
  maxBodyBytes: number;
}

async function serve(request: IncomingMessage, { cluster, now, clock, maxBodyBytes }: ServerContext): Promise<Reply> {
  const target = new URL(request.url ?? '/', 'http://localhost');
  const { clusterId, path } = splitCluster(target.pathname);
  const route = parseRoute(path);
  const method = request.method ?? 'GET';
  if (route.type !== 'resource' && method !== 'GET') throw methodNotAllowed(method);
  const kube = cluster(clusterId === '' ? DEFAULT_CLUSTER : clusterId);
  switch (route.type) {
    case 'version':
      return { status: 200, body: SERVER_VERSION };
    case 'health':
      return { status: 200, body: 'ok' };
    case 'apiVersions':
      return { status: 200, body: apiVersions() };
    case 'groupList':
      return { status: 200, body: apiGroupList(kube.catalogue) };
    case 'resourceList': {
      const list = apiResourceList(kube.catalogue, route.group, route.version);
      return list === undefined ? { status: 404, body: notFoundPath() } : { status: 200, body: list };
    }
    case 'resource':
      return handleResource({
        method,
        route,
        query: target.searchParams,
        headers: request.headers,
        body: () => readBody(request, maxBodyBytes),
        kube,
        now: now(),
        clock: now,
        timers: clock,
      });
    case 'openapi':
    case 'unknown':
      return { status: 404, body: notFoundPath() };
  }
}

function send(response: ServerResponse, reply: Reply): void {
  if (reply.stream !== undefined) return reply.stream(response);
  const text = typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body);
  response.statusCode = reply.status;
  response.setHeader('content-type', typeof reply.body === 'string' ? 'text/plain; charset=utf-8' : 'application/json');
  response.setHeader('content-length', Buffer.byteLength(text));
  // An unread (too large) body would otherwise be parsed as the next request on this connection.
  if (reply.status === 413) response.setHeader('connection', 'close');
  response.end(text);
}
