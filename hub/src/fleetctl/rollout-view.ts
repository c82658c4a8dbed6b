/** How fleetctl draws rollouts: the list, one rollout, and the live wave bars of `watch`. Pure. */
import type { AuditItem, ClusterPhase, RolloutDetail, RolloutEvent, RolloutListItem, RolloutStatus, WaveProgress } from '../../../shared/src/api/rollouts.js';
import { formatTable } from '../../../shared/src/table.js';
import { ACTIVE_STATUSES } from '../core/rollout/model.js';

const FAILED: readonly ClusterPhase[] = ['failed', 'timedOut'];

export const isFinal = (status: RolloutStatus): boolean => !ACTIVE_STATUSES.has(status);

const short = (revision: string) => revision.slice(0, 12);
const when = (iso: string) => iso.replace('T', ' ').slice(0, 19);

export function rolloutsTable(items: readonly RolloutListItem[]): string {
  const rows = items.map((r) => [
    r.id,
    short(r.revision),
    r.status,
    r.waves[r.wave]?.name ?? '-',
    String(r.clusters),
    r.origin.by === 'operator' ? r.origin.name : `git ${short(r.origin.commit)}`,
    when(r.createdAt),
  ]);
  return formatTable(['ROLLOUT', 'REVISION', 'STATUS', 'WAVE', 'CLUSTERS', 'BY', 'CREATED'], rows);
}

/** A wave's clusters as a bar: `#` healthy, `!` failed or timed out, `.` the rest. */
export function waveBar(wave: WaveProgress, width = 20): string {
  const healthy = wave.phases.healthy ?? 0;
  const failed = FAILED.reduce((n, phase) => n + (wave.phases[phase] ?? 0), 0);
  if (wave.clusters === 0) return `[${' '.repeat(width)}]`;
  const h = Math.round((healthy / wave.clusters) * width);
  const f = Math.min(width - h, Math.round((failed / wave.clusters) * width));
  return `[${'#'.repeat(h)}${'!'.repeat(f)}${'.'.repeat(width - h - f)}]`;
}

/** One line per wave: name, bar, counts, state. */
export function waveLines(waves: readonly WaveProgress[], width = 20): string[] {
  const nameWidth = Math.max(...waves.map((w) => w.name.length));
  return waves.map((wave) => {
    const healthy = wave.phases.healthy ?? 0;
    const failed = FAILED.reduce((n, phase) => n + (wave.phases[phase] ?? 0), 0);
    const other = wave.clusters - healthy - failed;
    const counts = `${healthy}/${wave.clusters} healthy, ${failed} failed, ${other} other`;
    return `${wave.name.padEnd(nameWidth)}  ${waveBar(wave, width)}  ${counts.padEnd(34)}${wave.state}`;
  });
}

export function rolloutHeadline(rollout: Pick<RolloutEvent, 'id' | 'revision' | 'status' | 'reason'>): string {
  return `rollout ${rollout.id}  revision ${short(rollout.revision)}  ${rollout.status}${rollout.reason ? ` (${rollout.reason})` : ''}`;
}

/** What `rollout watch` shows at each change. */
export function watchFrame(rollout: RolloutEvent): string[] {
  return [rolloutHeadline(rollout), ...waveLines(rollout.waves)];
}

export function rolloutDetailText(rollout: RolloutDetail): string {
  const clusters = formatTable(
    ['CLUSTER', 'WAVE', 'PHASE', 'DIRECTED', 'REASON'],
    rollout.clusters.map((c) => [c.id, c.wave, c.phase, c.directedAt ? when(c.directedAt) : '-', c.reason ?? '']),
  );
  return [rolloutHeadline(rollout), `created ${when(rollout.createdAt)}, updated ${when(rollout.updatedAt)}`, '', ...waveLines(rollout.waves), '', clusters].join('\n');
}

export function auditTable(items: readonly AuditItem[]): string {
  return formatTable(
    ['ID', 'AT', 'ROLLOUT', 'CLUSTER', 'ACTION', 'MESSAGE'],
    items.map((e) => [String(e.id), when(e.at), e.rolloutId, e.clusterId ?? '-', e.action, e.message]),
  );
}
