/**
 * Token buckets for new connections, overall and per remote address, so a reconnect storm or a
 * single misbehaving host cannot starve the broker's CONNECT handling (credential checks run
 * scrypt).
 */
import { systemClock } from '../../../../shared/src/time/clock.js';
import type { Clock } from '../../../../shared/src/time/clock.js';

export interface RateLimit {
  perSecond: number;
  burst: number;
}

interface Bucket {
  tokens: number;
  at: number;
}

export interface ConnectionRateLimitOptions {
  overall: RateLimit;
  perAddress: RateLimit;
  /** Injected so tests control refill (default the system clock). */
  clock?: Clock;
}

export type AdmitDecision = { admitted: true } | { admitted: false; reason: 'overall' | 'address' };

/** Past this many tracked addresses, buckets that have refilled completely are forgotten. */
const MAX_TRACKED_ADDRESSES = 10_000;

export class ConnectionRateLimit {
  private readonly overall: Bucket;
  private readonly byAddress = new Map<string, Bucket>();
  private readonly clock: Clock;

  constructor(private readonly options: ConnectionRateLimitOptions) {
    this.clock = options.clock ?? systemClock;
    this.overall = { tokens: options.overall.burst, at: this.clock.now() };
  }

  admit(address: string | undefined): AdmitDecision {
    const now = this.clock.now();
    const key = address ?? 'unknown';
    let own = this.byAddress.get(key);
    if (!own) {
      if (this.byAddress.size >= MAX_TRACKED_ADDRESSES) this.forgetFullBuckets(now);
      own = { tokens: this.options.perAddress.burst, at: now };
      this.byAddress.set(key, own);
    }
    refill(this.overall, this.options.overall, now);
    refill(own, this.options.perAddress, now);
    // Check both before taking either, so a refused address does not drain the shared bucket.
    if (own.tokens < 1) return { admitted: false, reason: 'address' };
    if (this.overall.tokens < 1) return { admitted: false, reason: 'overall' };
    own.tokens -= 1;
    this.overall.tokens -= 1;
    return { admitted: true };
  }

  private forgetFullBuckets(now: number): void {
    for (const [key, bucket] of this.byAddress) {
      refill(bucket, this.options.perAddress, now);
      if (bucket.tokens >= this.options.perAddress.burst) this.byAddress.delete(key);
    }
  }
}

function refill(bucket: Bucket, limit: RateLimit, now: number): void {
  const elapsed = Math.max(0, now - bucket.at) / 1000;
  bucket.tokens = Math.min(limit.burst, bucket.tokens + elapsed * limit.perSecond);
  bucket.at = now;
}
