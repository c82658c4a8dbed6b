/**
 * Which topics an authenticated cluster may use. A cluster speaks only under its own prefix:
 * it publishes its presence (the only retained message it may set) and its reports, and it
 * subscribes only to its own acknowledgements and directives — no wildcards, no `$SYS`. Pure.
 */
import { parseClusterTopic } from '../../../shared/src/protocol/topics.js';

export type AclDecision = { allowed: true } | { allowed: false; reason: string };

const allow: AclDecision = { allowed: true };
const deny = (reason: string): AclDecision => ({ allowed: false, reason });

export function mayPublish(clusterId: string, topic: string, retain: boolean): AclDecision {
  const parsed = parseClusterTopic(topic);
  if (!parsed || parsed.clusterId !== clusterId) return deny(`${clusterId} may not publish to ${topic}`);
  if (parsed.channel === 'presence') return allow;
  if (parsed.channel !== 'report') return deny(`${clusterId} may not publish on the ${parsed.channel} channel`);
  return retain ? deny('reports may not be retained') : allow;
}

export function maySubscribe(clusterId: string, filter: string): AclDecision {
  const parsed = parseClusterTopic(filter);
  if (!parsed || parsed.clusterId !== clusterId) return deny(`${clusterId} may not subscribe to ${filter}`);
  return parsed.channel === 'ack' || parsed.channel === 'directive'
    ? allow
    : deny(`${clusterId} may not subscribe to the ${parsed.channel} channel`);
}
