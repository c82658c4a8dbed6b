/**
 * fleetctl's side of the hub API: routes of the API catalogue (shared/src/api/routes.ts) called
 * with the bearer token, every answer validated with the route's schema, errors turned into
 * readable messages, and the server-sent event stream with each event's payload validated.
 */
import { z } from 'zod';
import { ApiErrorBody, firstIssues } from '../../../shared/src/api/common.js';
import { STREAM_EVENTS } from '../../../shared/src/api/event-stream.js';
import type { StreamEventData, StreamEventName } from '../../../shared/src/api/event-stream.js';
import { routePath, routes } from '../../../shared/src/api/routes.js';
import type { RouteAnswer, RouteRequest, RouteSpec } from '../../../shared/src/api/routes.js';
import { FleetError } from '../../../shared/src/errors.js';
import { SseParser } from './sse.js';

export interface HubClientOptions {
  url: string;
  token: string | undefined;
  timeoutMs?: number;
  /** Defaults to the global `fetch`; a test may pass its own. */
  fetch?: (url: URL, init: RequestInit) => Promise<Response>;
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

/** The hub answered something this fleetctl cannot read: most likely the two are of different versions. */
export class HubAnswerError extends Error {
  constructor(hubUrl: string, what: string, problems: string) {
    super(`the hub at ${hubUrl} answered ${what} with something fleetctl does not understand: ${problems}; is fleetctl older than the hub?`);
    this.name = 'HubAnswerError';
  }
}

/** One event of the stream, its payload validated. */
export type HubEvent = { [N in StreamEventName]: { event: N; data: StreamEventData<N> } }[StreamEventName];

export class HubClient {
  constructor(private readonly options: HubClientOptions) {}

  /** Calls `route` and returns its answer once it matches the route's schema. */
  async call<R extends RouteSpec>(route: R, request: RouteRequest<R>): Promise<RouteAnswer<R>> {
    const query = new URLSearchParams(Object.entries(request.query ?? {}).filter((entry): entry is [string, string] => entry[1] !== undefined));
    const target = `${routePath(route.path, request.params as Readonly<Record<string, string>> | undefined)}${query.size > 0 ? `?${query}` : ''}`;
    const { body } = request;
    const response = await this.fetch(target, {
      method: route.method,
      signal: AbortSignal.timeout(this.options.timeoutMs ?? 30_000),
      headers: { accept: 'application/json', ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const what = `${route.method} ${target}`;
    const text = await response.text();
    if (!response.ok) throw errorAnswer(what, response, text);
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new HubAnswerError(this.options.url, what, `a body that is not JSON (${response.headers.get('content-type') ?? 'no content type'}, ${text.length} bytes)`);
    }
    const parsed = route.response.safeParse(json);
    if (!parsed.success) throw new HubAnswerError(this.options.url, what, firstIssues(parsed.error));
    return parsed.data as RouteAnswer<R>;
  }

  /**
   * Calls `onEvent` for every event named in `names` until `signal` aborts or the hub closes the
   * stream; `onOpen` once the hub has subscribed this client, so state read after it misses no
   * change. Other events are skipped; one whose payload does not match its schema ends the
   * stream with a `HubAnswerError`.
   */
  async stream(names: readonly StreamEventName[], onEvent: (event: HubEvent) => void, signal: AbortSignal, onOpen: () => void = () => {}): Promise<void> {
    const { path, method } = routes.stream;
    const response = await this.fetch(path, { signal, headers: { accept: 'text/event-stream' } });
    if (!response.ok) throw errorAnswer(`${method} ${path}`, response, await response.text().catch(() => ''));
    const type = response.headers.get('content-type') ?? '';
    if (!type.startsWith('text/event-stream') || !response.body) {
      await response.body?.cancel();
      throw new HubAnswerError(this.options.url, `${method} ${path}`, `${type || 'no content type'} instead of an event stream`);
    }
    onOpen();
    const wanted = new Set<string>(names);
    const parser = new SseParser();
    const decoder = new TextDecoder();
    try {
      for await (const chunk of response.body) {
        for (const { event, data } of parser.push(decoder.decode(chunk as Uint8Array, { stream: true }))) {
          if (wanted.has(event)) onEvent(this.streamEvent(event as StreamEventName, data));
        }
      }
    } catch (error) {
      if (!signal.aborted || error instanceof HubAnswerError) throw error;
    }
  }

  private streamEvent(event: StreamEventName, data: string): HubEvent {
    const what = `${routes.stream.method} ${routes.stream.path} (event ${event})`;
    let json: unknown;
    try {
      json = JSON.parse(data);
    } catch {
      throw new HubAnswerError(this.options.url, what, 'data that is not JSON');
    }
    const parsed = STREAM_EVENTS[event].safeParse(json);
    if (!parsed.success) throw new HubAnswerError(this.options.url, what, firstIssues(parsed.error));
    return { event, data: parsed.data } as HubEvent;
  }

  private async fetch(path: string, init: RequestInit & { headers?: Record<string, string> }): Promise<Response> {
    const auth: Record<string, string> = this.options.token ? { authorization: `Bearer ${this.options.token}` } : {};
    try {
      return await (this.options.fetch ?? fetch)(new URL(path, this.options.url), { ...init, headers: { ...auth, ...init.headers } });
    } catch (cause) {
      if (init.signal?.aborted && (init.signal.reason as Error | undefined)?.name !== 'TimeoutError') throw cause;
      throw new FleetError('transient', `cannot reach the hub at ${this.options.url} (set --hub or FLEET_HUB_URL)`, { cause });
    }
  }
}

/** The error body, read so that a kind this fleetctl does not know still carries its message. */
const ErrorAnswer = z.object({ error: ApiErrorBody.shape.error.extend({ kind: z.string() }) });

/** An error answer: the hub's own `{error}` body, or the status text of whatever answered (a proxy). */
function errorAnswer(what: string, response: Response, text: string): HubApiError {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  const parsed = ErrorAnswer.safeParse(body);
  const kind = parsed.success ? parsed.data.error.kind : 'unknown';
  const message = parsed.success ? parsed.data.error.message : response.statusText;
  const hint = response.status === 401 ? ' (set --token or FLEET_TOKEN)' : '';
  return new HubApiError(response.status, kind, `${what}: ${response.status} ${message}${hint}`);
}
