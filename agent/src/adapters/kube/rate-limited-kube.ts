/**
 * A Kubernetes client that spends at most `ratePerSecond` requests a second (a token bucket with
 * `burst` tokens), so an agent catching up after days offline cannot flood its API server.
 */
import { systemClock } from '../../../../shared/src/time/clock.js';
import type { Clock } from '../../../../shared/src/time/clock.js';
import type { ApplyOptions, KubeClient, ListOptions, ResourceScope, WatchChange } from '../../ports/kube.js';
import type { KubeObject, ObjectRef } from '../../core/kube-object.js';

export interface RateLimit {
  ratePerSecond: number;
  burst: number;
}

export class RateLimitedKube implements KubeClient {
  private tokens: number;
  private last: number;
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly inner: KubeClient,
    private readonly limit: RateLimit,
    private readonly clock: Clock = systemClock,
  ) {
    this.tokens = limit.burst;
    this.last = clock.now();
  }

  async apply(object: KubeObject, options: ApplyOptions): Promise<KubeObject> {
    await this.take();
    return this.inner.apply(object, options);
  }

  async get(ref: ObjectRef): Promise<KubeObject | undefined> {
    await this.take();
    return this.inner.get(ref);
  }

  async list(apiVersion: string, kind: string, options?: ListOptions): Promise<KubeObject[]> {
    await this.take();
    return this.inner.list(apiVersion, kind, options);
  }

  async delete(ref: ObjectRef): Promise<boolean> {
    await this.take();
    return this.inner.delete(ref);
  }

  /** Discovery is cached by the client and rarely reaches the server: not rate limited. */
  scopeOf(apiVersion: string, kind: string): Promise<ResourceScope | undefined> {
    return this.inner.scopeOf(apiVersion, kind);
  }

  /** A watch is one long request, opened rarely: not rate limited. */
  watchChanges(apiVersion: string, kind: string, options: ListOptions, onChange: (type: WatchChange, object: KubeObject) => void): () => void {
    if (!this.inner.watchChanges) return () => {};
    return this.inner.watchChanges(apiVersion, kind, options, onChange);
  }

  /** Waits for a token; callers are served in order. */
  private take(): Promise<void> {
    const turn = this.queue.then(async () => {
      const now = this.clock.now();
      // The wall clock may be set back: that refills nothing, rather than draining the bucket.
      this.tokens = Math.min(this.limit.burst, this.tokens + (Math.max(0, now - this.last) / 1000) * this.limit.ratePerSecond);
      this.last = now;
      if (this.tokens < 1) {
        const waitMs = ((1 - this.tokens) / this.limit.ratePerSecond) * 1000;
        await new Promise<void>((resolve) => this.clock.setTimeout(resolve, waitMs));
        this.tokens = 1;
        this.last = this.clock.now();
      }
      this.tokens -= 1;
    });
    this.queue = turn;
    return turn;
  }
}
