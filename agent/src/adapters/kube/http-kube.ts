/**
 * The Kubernetes port over HTTP(S), for a real API server or the simulator. A `KubeConnection`
 * supplies the server, TLS and credentials; the requests themselves are raw, because
 * client-node's typed serializer drops fields its models do not know — on apply and on read —
 * which would corrupt applies and drift comparison.
 */
import http from 'node:http';
import https from 'node:https';
import { FleetError } from '../../../../shared/src/errors.js';
import type { KubeConnection } from './connection/connection.js';
import { plainConnection } from './connection/plain.js';
import { KubeApiError } from '../../ports/kube.js';
import type { ApplyOptions, KubeClient, ListOptions, ResourceScope, WatchChange } from '../../ports/kube.js';
import type { KubeObject, ObjectRef } from '../../core/kube-object.js';
import { streamWatch } from './watch-stream.js';

export interface HttpKubeOptions {
  /** Per request, from sending to the last byte of the answer. Default 30 s. */
  timeoutMs?: number;
  /** Larger answers are refused rather than buffered. Default 64 MiB. */
  maxResponseBytes?: number;
  userAgent?: string;
}

interface Resource {
  plural: string;
  namespaced: boolean;
}

interface Response {
  status: number;
  body: unknown;
}

const REASONS: Readonly<Record<number, string>> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  409: 'Conflict',
  410: 'Expired',
  413: 'RequestEntityTooLarge',
  415: 'UnsupportedMediaType',
  422: 'Invalid',
  429: 'TooManyRequests',
  500: 'InternalError',
  503: 'ServiceUnavailable',
  504: 'Timeout',
};

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

export class HttpKube implements KubeClient {
  private readonly server: URL;
  private readonly timeoutMs: number;
  private readonly maxResponseBytes: number;
  private readonly userAgent: string;
  /** Kind → resource, per group version; a miss refreshes that group version once. */
  private readonly discovery = new Map<string, Map<string, Resource>>();

  /** The connection is this client's own from now on: `close()` closes it. */
  constructor(
    readonly connection: KubeConnection,
    options: HttpKubeOptions = {},
  ) {
    this.server = connection.server;
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.maxResponseBytes = options.maxResponseBytes ?? 64 * 1024 * 1024;
    this.userAgent = options.userAgent ?? 'edge-agent';
  }

  async apply(object: KubeObject, options: ApplyOptions): Promise<KubeObject> {
    const resource = await this.resolve(object.apiVersion, object.kind);
    const query = new URLSearchParams({ fieldManager: options.fieldManager });
    if (options.force) query.set('force', 'true');
    if (options.dryRun) query.set('dryRun', 'All');
    const path = this.objectPath(object.apiVersion, resource, object.metadata.name, object.metadata.namespace);
    const response = await this.request('PATCH', path, query, {
      contentType: 'application/apply-patch+yaml',
      // JSON is YAML: sending the object as JSON keeps every field and every value's type exact.
      text: JSON.stringify(object),
    });
    return this.expectObject(response, 'PATCH', path);
  }

  async get(ref: ObjectRef): Promise<KubeObject | undefined> {
    const resource = await this.resolve(ref.apiVersion, ref.kind);
    const path = this.objectPath(ref.apiVersion, resource, ref.name, ref.namespace);
    const response = await this.request('GET', path);
    if (response.status === 404) return undefined;
    return this.expectObject(response, 'GET', path);
  }

  async list(apiVersion: string, kind: string, options: ListOptions = {}): Promise<KubeObject[]> {
    const resource = await this.resolve(apiVersion, kind);
    const namespace = resource.namespaced && options.namespace !== undefined ? `/namespaces/${encodeURIComponent(options.namespace)}` : '';
    const path = `${groupVersionPath(apiVersion)}${namespace}/${resource.plural}`;
    const query = new URLSearchParams();
    if (options.labelSelector) query.set('labelSelector', options.labelSelector);
    const response = await this.request('GET', path, query);
    if (response.status !== 200) throw this.failure(response, 'GET', path);
    const items = isRecord(response.body) && Array.isArray(response.body['items']) ? (response.body['items'] as KubeObject[]) : [];
    // The API server leaves apiVersion and kind out of the items of built-in lists.
    return items.map((item) => ({ ...item, apiVersion, kind }));
  }

  async delete(ref: ObjectRef): Promise<boolean> {
    const resource = await this.resolve(ref.apiVersion, ref.kind);
    const path = this.objectPath(ref.apiVersion, resource, ref.name, ref.namespace);
    const response = await this.request('DELETE', path, undefined, {
      contentType: 'application/json',
      text: JSON.stringify({ kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Background' }),
    });
    if (response.status === 404) return false;
    if (response.status >= 200 && response.status < 300) return true;
    throw this.failure(response, 'DELETE', path);
  }

  /** Releases pooled connections. */
  watchChanges(apiVersion: string, kind: string, options: ListOptions, onChange: (type: WatchChange, object: KubeObject) => void): () => void {
    return streamWatch({
      onChange,
      prepare: async () => {
        const resource = await this.resolve(apiVersion, kind);
        const namespace = resource.namespaced && options.namespace !== undefined ? `/namespaces/${encodeURIComponent(options.namespace)}` : '';
        const url = new URL(this.server.href);
        url.pathname = `${this.server.pathname.replace(/\/+$/, '')}${groupVersionPath(apiVersion)}${namespace}/${resource.plural}`;
        url.search = new URLSearchParams({ watch: 'true', timeoutSeconds: '300', ...(options.labelSelector ? { labelSelector: options.labelSelector } : {}) }).toString();
        const requestOptions = this.requestOptions('GET', undefined);
        await this.connection.decorate(requestOptions);
        return { url, options: requestOptions };
      },
    });
  }

  async scopeOf(apiVersion: string, kind: string): Promise<ResourceScope | undefined> {
    try {
      return (await this.resolve(apiVersion, kind)).namespaced ? 'Namespaced' : 'Cluster';
    } catch (error) {
      if (error instanceof KubeApiError && error.code === 404) return undefined;
      throw error;
    }
  }

  close(): void {
    this.connection.close();
  }

  private async resolve(apiVersion: string, kind: string): Promise<Resource> {
    const cached = this.discovery.get(apiVersion)?.get(kind);
    if (cached !== undefined) return cached;
    const path = groupVersionPath(apiVersion);
    const response = await this.request('GET', path);
    const found = new Map<string, Resource>();
    if (response.status === 200 && isRecord(response.body) && Array.isArray(response.body['resources'])) {
      for (const entry of response.body['resources'] as unknown[]) {
        // Subresources (`deployments/scale`) share the kind of their parent; skip them.
        if (!isRecord(entry) || typeof entry['name'] !== 'string' || entry['name'].includes('/')) continue;
        if (typeof entry['kind'] !== 'string') continue;
        found.set(entry['kind'], { plural: entry['name'], namespaced: entry['namespaced'] === true });
      }
    } else if (response.status !== 404) {
      throw this.failure(response, 'GET', path);
    }
    this.discovery.set(apiVersion, found);
    const resource = found.get(kind);
    if (resource === undefined) {
      throw new KubeApiError(404, 'NotFound', `no matches for kind ${JSON.stringify(kind)} in version ${JSON.stringify(apiVersion)}: the server does not serve it (is its CRD installed?)`);
    }
    return resource;
  }

  private objectPath(apiVersion: string, resource: Resource, name: string, namespace: string | undefined): string {
    const scope = resource.namespaced ? `/namespaces/${encodeURIComponent(namespace ?? 'default')}` : '';
    return `${groupVersionPath(apiVersion)}${scope}/${resource.plural}/${encodeURIComponent(name)}`;
  }

  private expectObject(response: Response, method: string, path: string): KubeObject {
    if (response.status < 200 || response.status >= 300) throw this.failure(response, method, path);
    if (!isRecord(response.body) || !isRecord(response.body['metadata'])) {
      throw new KubeApiError(500, 'InternalError', `${method} ${path}: the server answered ${response.status} without an object`);
    }
    return response.body as KubeObject;
  }

  /** A `KubeApiError` from the Status the server sent, or from the bare HTTP status. */
  private failure(response: Response, method: string, path: string): KubeApiError {
    const body = response.body;
    if (isRecord(body) && body['kind'] === 'Status') {
      const code = typeof body['code'] === 'number' ? body['code'] : response.status;
      const reason = typeof body['reason'] === 'string' && body['reason'] !== '' ? body['reason'] : (REASONS[code] ?? 'Unknown');
      const message = typeof body['message'] === 'string' ? body['message'] : `${method} ${path}: HTTP ${response.status}`;
      return new KubeApiError(code, reason, message);
    }
    const excerpt = typeof body === 'string' ? body.slice(0, 200) : JSON.stringify(body)?.slice(0, 200);
    return new KubeApiError(response.status, REASONS[response.status] ?? 'Unknown', `${method} ${path}: HTTP ${response.status}${excerpt ? `: ${excerpt}` : ''}`);
  }

  private async request(
    method: string,
    path: string,
    query?: URLSearchParams,
    payload?: { contentType: string; text: string },
  ): Promise<Response> {
    const url = new URL(this.server.href);
    url.pathname = `${this.server.pathname.replace(/\/+$/, '')}${path}`;
    url.search = query?.toString() ?? '';
    const first = this.requestOptions(method, payload);
    const response = await this.send(url, first, payload);
    // A rotated token: the request was refused before it did anything, so sending it again is safe.
    if (response.status === 401 && (await this.connection.reloadCredentials?.(first))) {
      return this.send(url, this.requestOptions(method, payload), payload);
    }
    return response;
  }

  private requestOptions(method: string, payload: { contentType: string; text: string } | undefined): https.RequestOptions {
    return {
      method,
      headers: {
        accept: 'application/json',
        'user-agent': this.userAgent,
        ...(payload ? { 'content-type': payload.contentType, 'content-length': Buffer.byteLength(payload.text) } : {}),
      },
    };
  }

  private async send(url: URL, options: https.RequestOptions, payload: { text: string } | undefined): Promise<Response> {
    await this.connection.decorate(options);
    options.signal = AbortSignal.timeout(this.timeoutMs);
    const where = `${options.method} ${url.origin}${url.pathname}`;
    return new Promise<Response>((resolve, reject) => {
      let settled = false;
      const settle = (outcome: () => void): void => {
        if (settled) return;
        settled = true;
        outcome();
      };
      const client = url.protocol === 'https:' ? https : http;
      const request = client.request(url, options, (incoming) => {
        const chunks: Buffer[] = [];
        let size = 0;
        incoming.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > this.maxResponseBytes) {
            settle(() => reject(new FleetError('validation', `${where}: the answer is larger than ${this.maxResponseBytes} bytes; refusing to buffer it`)));
            request.destroy();
            return;
          }
          chunks.push(chunk);
        });
        incoming.on('error', (error) => settle(() => reject(transient(where, error))));
        incoming.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          settle(() => resolve({ status: incoming.statusCode ?? 0, body: parseBody(text) }));
        });
      });
      request.on('error', (error) => settle(() => reject(transient(where, error))));
      if (payload) request.end(payload.text);
      else request.end();
    });
  }
}

function transient(where: string, error: Error): FleetError {
  const why = error.name === 'AbortError' || error.name === 'TimeoutError' ? 'no answer in time' : error.message;
  return new FleetError('transient', `${where} failed (${why}); the API server may be unreachable, will retry`, { cause: error });
}

function parseBody(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

const groupVersionPath = (apiVersion: string): string => (apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`);

/** An HttpKube for a plain server URL without credentials: the simulator, or `kubectl proxy`. */
export function httpKubeFromUrl(url: string, options?: HttpKubeOptions): HttpKube {
  return new HttpKube(plainConnection(url), options);
}
