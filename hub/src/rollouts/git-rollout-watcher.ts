/**
 * Rollouts from Git: the hub watches the fleet's branch and, for each new head whose bundle's
 * fleet.yaml has a `rollout:` section, starts a rollout of that commit with that plan. A commit
 * is considered once (durably: a rollout records the commit it came from); a bad plan is logged
 * and skipped, and the next commit is considered anew.
 */
import { describeError } from '../../../shared/src/errors.js';
import type { Logger } from '../../../shared/src/logger.js';
import type { GitSource } from '../../../shared/src/git/git-source.js';
import type { Clock } from '../../../shared/src/time/clock.js';
import { Scheduler } from '../../../shared/src/time/scheduler.js';
import { planFromFleetFile } from '../core/rollout/fleet-file-plan.js';
import type { RolloutStore } from '../ports/rollout-store.js';
import type { RolloutService } from './rollout-service.js';

export interface GitRolloutWatcherDeps {
  git: GitSource;
  branch: string;
  /** The bundle folder whose fleet.yaml holds the plan. */
  path: string;
  rollouts: RolloutService;
  store: RolloutStore;
  logger: Logger;
  clock: Clock;
  intervalMs: number;
}

export class GitRolloutWatcher {
  private lastSeen: string | undefined;
  private readonly scheduler: Scheduler;

  constructor(private readonly deps: GitRolloutWatcherDeps) {
    this.scheduler = new Scheduler(deps.clock, { onError: (error) => deps.logger.error({ error: describeError(error) }, 'checking the fleet branch failed') });
  }

  /** Looks at the branch head now and every `intervalMs` after each look. */
  start(): void {
    this.scheduler.every('git poll', { intervalMs: this.deps.intervalMs }, () => this.check());
  }

  stop(): Promise<void> {
    return this.scheduler.stop();
  }

  /** Looks at the branch head once. */
  async check(): Promise<void> {
    const { git, branch, path, rollouts, store, logger } = this.deps;
    let head: string;
    try {
      head = await git.fetchBranchHead(branch);
    } catch (error) {
      logger.warn({ branch, error: describeError(error) }, 'cannot fetch the fleet branch; will retry');
      return;
    }
    if (head === this.lastSeen || store.startedFromCommit(head)) {
      this.lastSeen = head;
      return;
    }
    try {
      const files = await git.readTree(head, path);
      const fleetFile = files.get('fleet.yaml');
      this.lastSeen = head;
      if (!fleetFile) return;
      const found = planFromFleetFile(Buffer.from(fleetFile).toString('utf8'), head);
      if (!found.ok) {
        logger.error({ commit: head, error: found.error }, 'the rollout plan in fleet.yaml is refused; no rollout for this commit');
        return;
      }
      if (!found.plan) return;
      const { rollout } = await rollouts.create(found.plan, { by: 'git', commit: head });
      logger.info({ commit: head, rolloutId: rollout.id }, 'rollout started from a new commit');
    } catch (error) {
      this.lastSeen = head;
      logger.error({ commit: head, error: describeError(error) }, 'cannot start the rollout of a new commit');
    }
  }
}
