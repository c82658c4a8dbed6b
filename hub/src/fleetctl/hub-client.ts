/**
 * fleetctl's side of the hub API: JSON requests with the bearer token, errors turned into
 * readable messages, and the server-sent event stream.
 */
import { FleetError } from '../../../shared/src/errors.js';
import { SseParser } from './sse.js';
import type { SseEvent } from './sse.js';

export interface HubClientOptions {
  url: string;
  token: string | undefined;
  timeoutMs?: number;
}

/** An error answer from the hub, with its status and kind. */
export class HubApiError extends Error {
  constructor(
    readonly status: number,
    readonly kind: string,
    message: string,
  ) {
    super(message);
    this.name = 'HubApiError';
  }
}

export class HubClient {
  constructor(private readonly options: HubClientOptions) {}

  get<T>(path: string): Promise<T> {
    return this.request<T>('GET', path);
  }

  post<T>(path: string, body?: unknown): Promise<T> {
    return this.request<T>('POST', path, body);
  }

  put<T>(path: string, body: unknown): Promise<T> {
    return this.request<T>('PUT', path, body);
  }

  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await this.fetch(path, {
      method,
      signal: AbortSignal.timeout(this.options.timeoutMs ?? 30_000),
      ...(body !== undefined ? { body: JSON.stringify(body), headers: { ...this.headers(), 'content-type': 'application/json' } } : {}),
    });
    const parsed = (await response.json().catch(() => undefined)) as { error?: { kind?: string; message?: string } } | undefined;
    if (!response.ok) {
      const kind = parsed?.error?.kind ?? 'unknown';
      throw new HubApiError(response.status, kind, `${method} ${path}: ${response.status} ${parsed?.error?.message ?? response.statusText}${response.status === 401 ? ' (set --token or FLEET_TOKEN)' : ''}`);
    }
    return parsed as T;
  }

  /**
   * Calls `onEvent` for every event until `signal` aborts or the hub closes the stream; `onOpen`
   * once the hub has subscribed this client, so state read after it misses no change.
   */
  async stream(onEvent: (event: SseEvent) => void, signal: AbortSignal, onOpen: () => void = () => {}): Promise<void> {
    const response = await this.fetch('/api/v1/stream', { signal, headers: { ...this.headers(), accept: 'text/event-stream' } });
    if (!response.ok || !response.body) throw new HubApiError(response.status, 'stream', `GET /api/v1/stream: ${response.status} ${response.statusText}`);
    onOpen();
    const parser = new SseParser();
    const decoder = new TextDecoder();
    try {
      for await (const chunk of response.body) {
        for (const event of parser.push(decoder.decode(chunk as Uint8Array, { stream: true }))) onEvent(event);
      }
    } catch (error) {
      if (!signal.aborted) throw error;
    }
  }

  private headers(): Record<string, string> {
    return this.options.token ? { authorization: `Bearer ${this.options.token}` } : {};
  }

  private async fetch(path: string, init: RequestInit & { headers?: Record<string, string> }): Promise<Response> {
    try {
      return await fetch(new URL(path, this.options.url), { ...init, headers: { ...this.headers(), ...init.headers } });
    } catch (cause) {
      if (init.signal?.aborted && (init.signal.reason as Error | undefined)?.name !== 'TimeoutError') throw cause;
      throw new FleetError('transient', `cannot reach the hub at ${this.options.url} (set --hub or FLEET_HUB_URL)`, { cause });
    }
  }
}
