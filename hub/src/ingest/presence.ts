import type { Logger } from '../../../shared/src/logger.js';
import { Presence, parsePayload } from '../../../shared/src/protocol/protocol.js';
import type { Clock } from '../../../shared/src/time/clock.js';
import type { FleetStore } from '../ports/fleet-store.js';

export interface PresenceCounters {
  accepted: number;
  rejected: number;
}

/**
 * Records a cluster going online or offline (its last will says offline when the link dies),
 * then calls `onChange` with it.
 */
export function handlePresence(store: FleetStore, logger: Logger, clock: Clock, counters: PresenceCounters, onChange: (clusterId: string) => void = () => {}) {
  return (clusterId: string, payload: Buffer): void => {
    const parsed = parsePayload(Presence, payload);
    if (!parsed.ok || parsed.value.clusterId !== clusterId) {
      counters.rejected += 1;
      logger.warn({ clusterId, error: parsed.ok ? 'clusterId differs from the topic' : parsed.error }, 'presence rejected');
      return;
    }
    counters.accepted += 1;
    store.setPresence(clusterId, parsed.value.state, parsed.value.agentVersion, new Date(clock.now()));
    onChange(clusterId);
  };
}
