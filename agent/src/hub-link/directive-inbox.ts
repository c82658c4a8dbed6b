/**
 * Hub directives arriving at an agent in directed mode. Each is checked (`core/directive-check`);
 * an accepted one is written, with an event announcing it, before anything acts on it; a refused
 * one changes nothing and is reported as an event — once, since the broker delivers the retained
 * directive again on every reconnect.
 */
import type { Logger } from '../../../shared/src/logger.js';
import type { Directive } from '../../../shared/src/protocol/protocol.js';
import type { TrustedKeys } from '../../../shared/src/protocol/signing.js';
import type { Clock } from '../../../shared/src/time/clock.js';
import { checkDirective } from '../core/directive-check.js';
import type { AgentStore } from '../ports/agent-store.js';

export interface DirectiveInboxDeps {
  clusterId: string;
  /** The repository and folder this agent pulls; a directive must name the same. */
  repo: string;
  path: string;
  /** Hub public keys by key id; several during a key rotation. */
  trusted: TrustedKeys;
  store: AgentStore;
  logger: Logger;
  clock: Clock;
  /** Called after a directive was accepted and written. */
  onAccepted(directive: Directive): void;
  /** Called after a refusal was recorded, so it can be sent. */
  onRefused(): void;
}

export const DIRECTIVE_REFUSED_REASON = 'DirectiveRefused';

export class DirectiveInbox {
  private lastRefusal: string | undefined;

  constructor(private readonly deps: DirectiveInboxDeps) {}

  receive(payload: Uint8Array): void {
    const { store, logger, clock } = this.deps;
    const now = new Date(clock.now());
    const check = checkDirective(payload, { ...this.deps, accepted: store.acceptedDirective(), now });
    if (check.verdict === 'repeat') return;
    if (check.verdict === 'refuse') {
      const message = `${check.reason}: ${check.message}`;
      if (message === this.lastRefusal) return;
      this.lastRefusal = message;
      logger.warn({ reason: check.reason, message: check.message }, 'directive refused');
      store.appendEvent({ reason: DIRECTIVE_REFUSED_REASON, message, severity: 'warning' }, now);
      this.deps.onRefused();
      return;
    }
    const { directive } = check;
    store.acceptDirective(directive, now);
    logger.info({ seq: directive.seq, rolloutId: directive.rolloutId, wave: directive.wave, revision: directive.revision }, 'directive accepted');
    this.deps.onAccepted(directive);
  }
}
