/**
 * What a reconcile pass concludes, as data: from the previous state and what happened to the
 * revision (source, render, apply), the next state with its conditions. Pure; the reconciler
 * shell saves and reports the result.
 */
import { isDeepStrictEqual } from 'node:util';
import type { AgentState } from '../ports/agent-store.js';
import type { ObjectRef } from '../ports/kube.js';
import { setConditions } from './conditions.js';
import type { ConditionInput } from './conditions.js';

export type PassOutcome =
  | { stage: 'source'; error: string }
  /** The revision was fetched but may not be used: unsigned, or a hostile tree. */
  | { stage: 'refused'; revision: string; error: string }
  | { stage: 'render'; revision: string; error: string }
  | { stage: 'apply'; revision: string; applied: ObjectRef[]; failures: { ref: string; error: string }[] };

export function concludePass(previous: AgentState, outcome: PassOutcome, now: Date): AgentState {
  const short = (sha: string) => sha.slice(0, 12);
  let next: AgentState;
  let ready: ConditionInput;
  let stalled: ConditionInput = { type: 'Stalled', status: 'False', reason: 'Progressing', message: '' };
  switch (outcome.stage) {
    case 'source':
      next = previous;
      ready = { type: 'Ready', status: 'False', reason: 'SourceUnavailable', message: outcome.error };
      break;
    case 'refused':
      // Nothing of a refused revision is written or applied; the last good one stays.
      next = previous;
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
      const failed = outcome.failures.length;
      next = failed
        ? { ...previous, desiredRevision: outcome.revision }
        : { ...previous, appliedRevision: outcome.revision, desiredRevision: outcome.revision, inventory: outcome.applied };
      ready = failed
        ? {
            type: 'Ready',
            status: 'False',
            reason: 'ApplyFailed',
            message: `${failed} of ${failed + outcome.applied.length} objects failed at ${short(outcome.revision)}; first: ${outcome.failures[0]!.ref}: ${outcome.failures[0]!.error}`,
          }
        : {
            type: 'Ready',
            status: 'True',
            reason: 'ReconciliationSucceeded',
            message: `applied ${outcome.applied.length} objects at ${short(outcome.revision)}`,
          };
      break;
    }
  }
  return {
    ...next,
    // Health assessment of the applied objects is not done yet: it stays Unknown rather than guessed.
    health: previous.health,
    conditions: setConditions(previous.conditions, [ready, stalled], now),
  };
}

/** Whether `next` says anything `previous` did not — only then is a status record worth sending. */
export const stateChanged = (previous: AgentState, next: AgentState): boolean => !isDeepStrictEqual(previous, next);
