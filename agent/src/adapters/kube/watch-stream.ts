/**
 * A Kubernetes watch over HTTP(S) as a stream of changes: newline-delimited JSON events on a
 * long-lived GET, reconnecting with jittered backoff when the stream ends or breaks.
 */
import http from 'node:http';
import https from 'node:https';
import { backoffDelay } from '../../../../shared/src/backoff.js';
import type { WatchChange } from '../../ports/kube.js';
import type { KubeObject } from '../../core/kube-object.js';

const CHANGES = new Set<string>(['ADDED', 'MODIFIED', 'DELETED']);
/** A single event larger than this is not a Kubernetes object we can use: drop the stream. */
const MAX_LINE = 8 * 1024 * 1024;

export interface WatchRequest {
  /** Builds the URL and request options afresh for each connection (credentials may rotate). */
  prepare(): Promise<{ url: URL; options: https.RequestOptions }>;
  onChange(type: WatchChange, object: KubeObject): void;
}

export function streamWatch(watch: WatchRequest): () => void {
  let stopped = false;
  let attempt = 0;
  let request: http.ClientRequest | undefined;
  let timer: NodeJS.Timeout | undefined;

  const retry = () => {
    if (stopped || timer) return;
    timer = setTimeout(() => {
      timer = undefined;
      void connect();
    }, backoffDelay(attempt++, { baseMs: 500, maxMs: 30_000 }) + 100);
  };

  const connect = async () => {
    if (stopped) return;
    let prepared;
    try {
      prepared = await watch.prepare();
    } catch {
      return retry();
    }
    const { url, options } = prepared;
    const client = url.protocol === 'https:' ? https : http;
    let settled = false;
    const done = () => {
      if (settled) return;
      settled = true;
      retry();
    };
    request = client.request(url, options, (incoming) => {
      if (incoming.statusCode !== 200) {
        incoming.resume();
        return done();
      }
      attempt = 0;
      let buffer = '';
      incoming.setEncoding('utf8');
      incoming.on('data', (chunk: string) => {
        buffer += chunk;
        for (let newline = buffer.indexOf('\n'); newline >= 0; newline = buffer.indexOf('\n')) {
          const line = buffer.slice(0, newline);
          buffer = buffer.slice(newline + 1);
          deliver(line);
        }
        if (buffer.length > MAX_LINE) request?.destroy();
      });
      incoming.on('end', done);
      incoming.on('error', done);
    });
    request.on('error', done);
    request.end();
  };

  const deliver = (line: string) => {
    if (line.trim() === '') return;
    try {
      const event = JSON.parse(line) as { type?: string; object?: KubeObject };
      if (event.type && CHANGES.has(event.type) && event.object?.metadata) watch.onChange(event.type as WatchChange, event.object);
    } catch {
      // A malformed line says nothing about our objects; the interval check still covers them.
    }
  };

  void connect();
  return () => {
    stopped = true;
    clearTimeout(timer);
    request?.destroy();
  };
}
