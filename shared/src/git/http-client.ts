import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { Socket } from 'node:net';
import type { HttpClient } from 'isomorphic-git';
import httpNode from 'isomorphic-git/http/node';

export interface FetchHttpOptions {
  /** Aborting it destroys every socket and rejects whatever request or body read is pending. */
  signal: AbortSignal;
  /** How long one TCP connection may take to be accepted. */
  connectTimeoutMs: number;
  /** Called once a connection attempt has taken longer than `connectTimeoutMs` (the caller aborts). */
  onConnectTimeout: () => void;
}

/**
 * An HTTP client for one isomorphic-git fetch. isomorphic-git has no timeout and passes no abort
 * signal to its client; this one has its own agents, so that aborting destroys exactly this
 * fetch's sockets and makes any pending request or body read reject at once, whatever state
 * isomorphic-git is in. `close` releases the agents once the fetch is over.
 */
export function fetchHttp(options: FetchHttpOptions): { client: HttpClient; close(): void } {
  const { signal } = options;
  const agents = {
    http: watchConnects(new HttpAgent({ keepAlive: true }), options),
    https: watchConnects(new HttpsAgent({ keepAlive: true }), options),
  };
  const close = (): void => {
    agents.http.destroy();
    agents.https.destroy();
  };
  signal.addEventListener('abort', close, { once: true });
  return {
    close,
    client: {
      async request(request) {
        signal.throwIfAborted();
        const agent = request.url.startsWith('https:') ? agents.https : agents.http;
        const response = await untilAborted(httpNode.request({ ...request, agent, signal }), signal);
        return response.body ? { ...response, body: abortableBody(response.body, signal) } : response;
      },
    },
  };
}

/**
 * Times every connection the agent opens: a server that does not accept the TCP connection (a
 * black-holed address, a full accept queue) would otherwise hold the fetch until the total
 * timeout, and the OS's own SYN retries last minutes.
 */
function watchConnects<A extends HttpAgent>(agent: A, options: FetchHttpOptions): A {
  const create = agent.createConnection.bind(agent);
  agent.createConnection = (connectOptions, callback) => {
    const stream = create(connectOptions, callback);
    if (stream instanceof Socket && stream.connecting) {
      const timer = setTimeout(() => {
        if (!stream.connecting) return;
        options.onConnectTimeout();
        stream.destroy();
      }, options.connectTimeoutMs);
      const done = (): void => clearTimeout(timer);
      stream.once('connect', done);
      stream.once('close', done);
    }
    return stream;
  };
  return agent;
}

async function* abortableBody(body: AsyncIterableIterator<Uint8Array>, signal: AbortSignal): AsyncGenerator<Uint8Array> {
  try {
    for (;;) {
      const { value, done } = await untilAborted(body.next(), signal);
      if (done) return;
      yield value;
    }
  } finally {
    await body.return?.();
  }
}

function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
