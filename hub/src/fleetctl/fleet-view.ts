/** `fleetctl fleet` and `fleetctl cluster get`. Pure. */
import type { ClusterDetail, FleetSummary } from '../../../shared/src/api/clusters.js';
import { formatTable } from '../../../shared/src/table.js';

const counts = (record: Record<string, number>, key = (k: string) => k) =>
  Object.entries(record)
    .sort(([, a], [, b]) => b - a)
    .map(([k, n]) => `${key(k)}=${n}`)
    .join(' ') || '-';

export function fleetSummaryText(s: FleetSummary): string {
  return formatTable(
    ['FLEET', ''],
    [
      ['clusters', String(s.total)],
      ['online', String(s.online)],
      ['offline', String(s.offline)],
      ['unknown', String(s.unknown)],
      ['health', counts(s.health)],
      ['revisions', counts(s.revisions, (sha) => sha.slice(0, 12))],
      ['drifted', String(s.drifted)],
      ['active rollouts', String(s.activeRollouts)],
    ],
  );
}

export function clusterDetailText(c: ClusterDetail): string {
  const ready = c.status?.conditions.find((k) => k.type === 'Ready');
  const lines = [
    `cluster   ${c.id}`,
    `labels    ${Object.entries(c.labels).map(([k, v]) => `${k}=${v}`).join(',') || '-'}`,
    `presence  ${c.presence}${c.presenceAt ? ` since ${c.presenceAt}` : ''}${c.agentVersion ? ` (agent ${c.agentVersion})` : ''}`,
    `applied   ${c.status?.appliedRevision ?? '-'}`,
    `desired   ${c.status?.desiredRevision ?? '-'}`,
    `health    ${c.status?.health ?? '-'}`,
    `ready     ${ready ? `${ready.status}/${ready.reason}: ${ready.message}` : '-'}`,
    '',
  ];
  const events = formatTable(['SEQ', 'AT', 'SEVERITY', 'REASON', 'MESSAGE'], c.events.map((e) => [String(e.seq), e.at, e.severity, e.reason, e.message]));
  return [...lines, events].join('\n');
}

/**
 * Applies `k=v` (set) and `k-` (remove) arguments to labels, kubectl style. Throws on anything else.
 */
export function editLabels(labels: Readonly<Record<string, string>>, args: readonly string[]): Record<string, string> {
  const next = { ...labels };
  for (const arg of args) {
    const at = arg.indexOf('=');
    if (at > 0) next[arg.slice(0, at)] = arg.slice(at + 1);
    else if (arg.endsWith('-') && arg.length > 1) delete next[arg.slice(0, -1)];
    else throw new Error(`a label change is key=value or key-, got "${arg}"`);
  }
  return next;
}
