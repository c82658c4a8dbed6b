/**
 * Tells clusters which revision to run: each directive is given the cluster's next seq, signed
 * with the hub's key and recorded, all before it is published — retained, so an agent that is
 * offline now finds it when it reconnects. On start the hub publishes every cluster's latest
 * directive again, since the broker keeps retained messages in memory only.
 */
import { describeError } from '../../../shared/src/errors.js';
import type { Logger } from '../../../shared/src/logger.js';
import { PROTOCOL_VERSION } from '../../../shared/src/protocol/protocol.js';
import type { Directive } from '../../../shared/src/protocol/protocol.js';
import { signDirective } from '../../../shared/src/protocol/signing.js';
import type { SigningKey } from '../../../shared/src/protocol/signing.js';
import { topics } from '../../../shared/src/protocol/topics.js';
import type { Clock } from '../../../shared/src/time/clock.js';
import { mapConcurrently } from '../../../shared/src/worker-pool.js';
import type { DirectiveIntent } from '../core/rollout/model.js';
import type { FleetBus } from '../ports/fleet-bus.js';
import type { FleetStore } from '../ports/fleet-store.js';

/**
 * Directives published at once; the rest wait for a slot. aedes queues publishes beyond its
 * emitter's concurrency (100) and drains that queue recursively, synchronously for topics nobody
 * subscribes to (offline clusters): a wave of 10,000 published at once overflowed the stack.
 */
const PUBLISH_WINDOW = 64;

/** A week: long enough for a store that is offline over a weekend to still take its directive. */
export const DEFAULT_DIRECTIVE_TTL_MS = 7 * 24 * 3_600_000;

export interface DirectiveOrder {
  clusterIds: readonly string[];
  revision: string;
  rolloutId: string;
  wave: string;
}

export interface DirectiveIssuerOptions {
  store: FleetStore;
  bus: FleetBus;
  key: SigningKey;
  /** The repository and folder the agents pull; directives name them and agents check they match. */
  repo: string;
  path: string;
  logger: Logger;
  clock: Clock;
  ttlMs?: number;
}

export class DirectiveIssuer {
  constructor(private readonly options: DirectiveIssuerOptions) {}

  /** Records, signs and publishes one directive per cluster; resolves once all are published. */
  async issue(order: DirectiveOrder): Promise<Directive[]> {
    const directives = this.record(
      order.rolloutId,
      order.clusterIds.map((clusterId) => ({ clusterId, revision: order.revision, wave: order.wave })),
    );
    await this.publish(directives);
    return directives;
  }

  /**
   * Allots seqs, signs and records directives (in the caller's transaction, if any); publish them
   * after it commits.
   */
  record(rolloutId: string, intents: readonly DirectiveIntent[]): Directive[] {
    if (intents.length === 0) return [];
    const { store, key, repo, path, clock } = this.options;
    const issuedAt = new Date(clock.now());
    const expiresAt = new Date(issuedAt.getTime() + (this.options.ttlMs ?? DEFAULT_DIRECTIVE_TTL_MS));
    const byCluster = new Map(intents.map((intent) => [intent.clusterId, intent]));
    return store.recordDirectives(
      [...byCluster.keys()],
      (clusterId, seq) => {
        const intent = byCluster.get(clusterId)!;
        return signDirective(
          {
            v: PROTOCOL_VERSION,
            clusterId,
            seq,
            rolloutId,
            wave: intent.wave,
            revision: intent.revision,
            repo,
            path,
            issuedAt: issuedAt.toISOString(),
            expiresAt: expiresAt.toISOString(),
          },
          key,
        );
      },
      issuedAt,
    );
  }

  /** Publishes every cluster's latest directive again (at start: retained messages are not durable). */
  async republish(): Promise<number> {
    const directives = this.options.store.latestDirectives();
    await this.publish(directives);
    return directives.length;
  }

  /** Publishes recorded directives, retained; rejects if any could not be (they go out again at the next start). */
  async publish(directives: readonly Directive[]): Promise<void> {
    const { bus, logger } = this.options;
    // Each publish settles on its own: one that fails does not hold back the others.
    const errors = await mapConcurrently(directives, PUBLISH_WINDOW, (d) =>
      bus.publish(topics.directive(d.clusterId), JSON.stringify(d), { retain: true }).then(
        () => undefined,
        (reason: unknown) => describeError(reason),
      ),
    );
    const failed = errors.flatMap((error, i) => (error === undefined ? [] : [{ clusterId: directives[i]!.clusterId, error }]));
    // Recorded, so published again at the next start; the caller hears of it now.
    if (failed.length > 0) {
      logger.error({ failed: failed.slice(0, 10), count: failed.length }, 'publishing directives failed');
      throw new Error(`${failed.length} of ${directives.length} directives could not be published; first: ${failed[0]!.clusterId}: ${failed[0]!.error}`);
    }
  }
}
