export interface BackoffPolicy {
  baseMs: number;
  maxMs: number;
}

/**
 * "Full jitter" exponential backoff: a delay drawn uniformly from [0, min(max, base·2^attempt)],
 * so that thousands of agents cut off by the same outage do not reconnect in lockstep.
 * `random` is injected to keep callers testable.
 */
export function backoffDelay(attempt: number, policy: BackoffPolicy, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.min(attempt, 30));
  return Math.round(random() * ceiling);
}
