/**
 * The agent's reconcile loop: a thin shell around the pure core. Each pass reads the state, asks
 * the source for the revision, renders, applies, concludes the new state, and saves it together
 * with the status record announcing it; the outbox pump then forwards records to the hub.
 */
import { describeError } from '../../shared/src/errors.js';
import type { Logger } from '../../shared/src/logger.js';
import { FIELD_MANAGER, planApply } from './core/plan-apply.js';
import { concludePass, stateChanged } from './core/reconcile-state.js';
import type { PassOutcome } from './core/reconcile-state.js';
import { renderPlainManifests } from './core/render-plain.js';
import type { AgentState, AgentStore } from './ports/agent-store.js';
import type { GitSource } from './ports/git-source.js';
import { describeRef, refOf } from './ports/kube.js';
import type { KubeClient, ObjectRef } from './ports/kube.js';
import type { Uplink } from './ports/uplink.js';
import { OutboxPump } from './outbox-pump.js';

export interface ReconcilerDeps {
  clusterId: string;
  git: GitSource;
  branch: string;
  /** Folder of the repository holding this cluster's manifests; `''` for the root. */
  path: string;
  kube: KubeClient;
  store: AgentStore;
  uplink: Uplink;
  logger: Logger;
  now?: () => Date;
}

export class Reconciler {
  private readonly now: () => Date;
  private readonly pump: OutboxPump;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<AgentState> | undefined;
  private stopped = false;

  constructor(private readonly deps: ReconcilerDeps) {
    this.now = deps.now ?? (() => new Date());
    this.pump = new OutboxPump(deps.clusterId, deps.store, deps.uplink, deps.logger, this.now);
  }

  /** One pass; concurrent callers share the pass in progress. */
  reconcile(): Promise<AgentState> {
    this.running ??= this.pass().finally(() => (this.running = undefined));
    return this.running;
  }

  /** Reconciles now and then every `intervalMs`, until `stop`. */
  start(intervalMs: number): void {
    const tick = () => {
      this.reconcile()
        .catch((error: unknown) => this.deps.logger.error({ error: describeError(error) }, 'reconcile failed'))
        .finally(() => {
          if (!this.stopped) this.timer = setTimeout(tick, intervalMs);
        });
    };
    tick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running?.catch(() => undefined);
  }

  private async pass(): Promise<AgentState> {
    const { store, logger } = this.deps;
    const previous = store.readState();
    const outcome = await this.attempt(previous);
    const next = concludePass(previous, outcome, this.now());
    if (stateChanged(previous, next)) {
      store.saveState(next, this.now());
      const ready = next.conditions.find((c) => c.type === 'Ready');
      logger.info({ revision: next.appliedRevision, reason: ready?.reason, message: ready?.message }, 'state changed');
    }
    await this.pump.flush();
    return next;
  }

  private async attempt(previous: AgentState): Promise<PassOutcome> {
    const { git, branch, path, logger } = this.deps;
    let revision: string;
    try {
      revision = await git.fetchBranchHead(branch);
    } catch (error) {
      // Offline is normal: keep reconciling the revision we already have.
      if (previous.desiredRevision === null) return { stage: 'source', error: describeError(error) };
      logger.debug({ error: describeError(error) }, 'source unreachable; reconciling the cached revision');
      revision = previous.desiredRevision;
    }
    let rendered;
    try {
      rendered = renderPlainManifests(await git.readTree(revision, path));
    } catch (error) {
      return { stage: 'render', revision, error: describeError(error) };
    }
    if (!rendered.ok) {
      const { file, line, message } = rendered.error;
      return { stage: 'render', revision, error: `${file}${line ? `:${line}` : ''}: ${message}` };
    }
    return { stage: 'apply', revision, ...(await this.applyAll(planApply(rendered.objects))) };
  }

  private async applyAll(objects: ReturnType<typeof planApply>) {
    const applied: ObjectRef[] = [];
    const failures: { ref: string; error: string }[] = [];
    for (const object of objects) {
      try {
        // force: the revision in Git is the source of truth, so the agent takes over fields
        // another manager set by hand (drift policy will decide this per object later).
        await this.deps.kube.apply(object, { fieldManager: FIELD_MANAGER, force: true });
        applied.push(refOf(object));
      } catch (error) {
        failures.push({ ref: describeRef(refOf(object)), error: describeError(error) });
      }
    }
    return { applied, failures };
  }
}

