import type { Logger } from '../../shared/src/logger.js';
import { Presence, parsePayload } from '../../shared/src/protocol.js';
import type { FleetStore } from './ports/fleet-store.js';

/** Records a cluster going online or offline (its last will says offline when the link dies). */
export function handlePresence(store: FleetStore, logger: Logger, now: () => Date) {
  return (clusterId: string, payload: Buffer): void => {
    const parsed = parsePayload(Presence, payload);
    if (!parsed.ok || parsed.value.clusterId !== clusterId) {
      logger.warn({ clusterId, error: parsed.ok ? 'clusterId differs from the topic' : parsed.error }, 'presence rejected');
      return;
    }
    store.setPresence(clusterId, parsed.value.state, parsed.value.agentVersion, now());
  };
}
