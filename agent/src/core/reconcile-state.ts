/**
 * What a reconcile pass concludes, as data: from the previous state and what happened to the
 * revision (source, render, apply, prune, health), the next state with its conditions. Pure;
 * the reconciler shell saves and reports the result.
 */
import { isDeepStrictEqual } from 'node:util';
import type { AgentState } from './agent-state.js';
import type { ObjectRef } from './kube-object.js';
import { summarizeChangeSet } from './apply/change-set.js';
import type { ChangeSetEntry } from './apply/change-set.js';
import { setConditions } from './conditions.js';
import type { ConditionInput } from './conditions.js';
import type { HealthSummary } from './apply/health.js';

/** A revision the agent was told to run but could not fetch yet; the applied one stays meanwhile. */
export interface PendingRevision {
  revision: string;
  error: string;
}

export type PassOutcome =
  /** Directed mode before the first directive: nothing to run yet. */
  | { stage: 'waiting'; message: string }
  | { stage: 'source'; error: string }
  /** The revision was fetched but may not be used: unsigned, or a hostile tree. */
  | { stage: 'refused'; revision: string; error: string }
  | { stage: 'render'; revision: string; error: string }
  | {
      stage: 'apply';
      revision: string;
      /** Apply and prune results, in order. */
      changes: ChangeSetEntry[];
      /** What the agent owns in the cluster after this pass (desired, plus anything it could not prune). */
      inventory: ObjectRef[];
      /** Why pruning was refused, when it was. */
      pruneRefused?: string;
      /** Health of the applied objects; absent when the apply failed. */
      health?: HealthSummary;
      /** Epoch ms this pass's revision was first applied, for the health deadline. */
      appliedAt: number;
      /** The revision wanted instead, when it could not be fetched yet. */
      pending?: PendingRevision;
    };

const short = (sha: string) => sha.slice(0, 12);
const describe = (entry: ChangeSetEntry) =>
  `${entry.ref.kind}/${entry.ref.namespace ? `${entry.ref.namespace}/` : ''}${entry.ref.name}`;

export function concludePass(previous: AgentState, outcome: PassOutcome, now: Date): AgentState {
  let next: AgentState = previous;
  let ready: ConditionInput;
  let reconciling: ConditionInput = { type: 'Reconciling', status: 'False', reason: 'Idle', message: '' };
  let stalled: ConditionInput = { type: 'Stalled', status: 'False', reason: 'Progressing', message: '' };
  switch (outcome.stage) {
    case 'waiting':
      ready = { type: 'Ready', status: 'False', reason: 'AwaitingDirective', message: outcome.message };
      break;
    case 'source':
      ready = { type: 'Ready', status: 'False', reason: 'SourceUnavailable', message: outcome.error };
      break;
    case 'refused':
      // Nothing of a refused revision is written or applied; the last good one stays.
      ready = { type: 'Ready', status: 'False', reason: 'RevisionRefused', message: `${short(outcome.revision)}: ${outcome.error}` };
      stalled = { type: 'Stalled', status: 'True', reason: 'RevisionRefused', message: ready.message };
      break;
    case 'render':
      // Bad input never replaces the last good revision: it stays applied, the error is reported.
      next = { ...previous, desiredRevision: outcome.revision };
      ready = { type: 'Ready', status: 'False', reason: 'RenderFailed', message: `${short(outcome.revision)}: ${outcome.error}` };
      stalled = { type: 'Stalled', status: 'True', reason: 'RenderFailed', message: ready.message };
      break;
    case 'apply': {
      const failed = outcome.changes.filter((c) => c.action === 'failed');
      const at = short(outcome.revision);
      if (failed.length > 0) {
        next = { ...previous, desiredRevision: outcome.revision };
        ready = {
          type: 'Ready',
          status: 'False',
          reason: 'ApplyFailed',
          message: `${failed.length} of ${outcome.changes.length} objects failed at ${at}; first: ${describe(failed[0]!)}: ${failed[0]!.message ?? ''}`,
        };
        break;
      }
      next = {
        ...previous,
        appliedRevision: outcome.revision,
        desiredRevision: outcome.revision,
        inventory: outcome.inventory,
        appliedAt: new Date(outcome.appliedAt).toISOString(),
        health: outcome.health?.health ?? 'Unknown',
      };
      const alerts = outcome.changes.filter((c) => c.action === 'skipped' && c.driftPaths?.length);
      next = { ...next, driftedObjects: alerts.length };
      const driftNote = alerts.length > 0 ? `; drift left in place on ${alerts.map((c) => `${describe(c)} (${c.driftPaths!.join(', ')})`).join('; ')}` : '';
      const changed = summarizeChangeSet(outcome.changes.filter((c) => c.action !== 'unchanged')).text;
      const summary = `${changed === 'no objects' ? 'no changes' : changed} at ${at}`;
      const health = outcome.health;
      if (outcome.pruneRefused) {
        ready = { type: 'Ready', status: 'False', reason: 'PruneRefused', message: `${outcome.pruneRefused} (${at})` };
        stalled = { type: 'Stalled', status: 'True', reason: 'PruneRefused', message: ready.message };
      } else if (!health || health.health === 'Healthy') {
        ready = { type: 'Ready', status: 'True', reason: 'ReconciliationSucceeded', message: `${outcome.inventory.length} objects healthy at ${at}${driftNote}` };
      } else if (health.health === 'Progressing') {
        ready = { type: 'Ready', status: 'Unknown', reason: 'Progressing', message: `${health.message} (${summary})` };
        reconciling = { type: 'Reconciling', status: 'True', reason: 'Progressing', message: health.message };
      } else {
        ready = { type: 'Ready', status: 'False', reason: health.reason, message: `${health.message} (${at})` };
        stalled = { type: 'Stalled', status: 'True', reason: health.reason, message: health.message };
      }
      if (outcome.pending) {
        // The applied revision was reconciled, but it is not the one wanted: say so, not "Ready".
        next = { ...next, desiredRevision: outcome.pending.revision };
        ready = { type: 'Ready', status: 'False', reason: 'SourceUnavailable', message: `${outcome.pending.error}; ${at} stays applied` };
      }
      break;
    }
  }
  return { ...next, conditions: setConditions(previous.conditions, [ready, reconciling, stalled], now) };
}

/** Whether `next` says anything `previous` did not — only then is a status record worth sending. */
export const stateChanged = (previous: AgentState, next: AgentState): boolean => !isDeepStrictEqual(previous, next);
