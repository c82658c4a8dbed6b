/**
 * Clusters and the fleet as the operator API answers them (`/api/v1/clusters…`, `/api/v1/fleet`)
 * and the bodies and queries those routes take. The hub's core uses these types as its own.
 */
import { z } from 'zod';
import { ClusterStatus, Condition, DirectiveSummary } from '../protocol/protocol.js';
import { Count, Timestamp, itemsOf } from './common.js';

export const PresenceState = z.enum(['online', 'offline', 'unknown']);
export type PresenceState = z.infer<typeof PresenceState>;

/**
 * The agent's status as reported (protocol `ClusterStatus`), read leniently: the protocol's
 * objects are strict so the hub refuses what it does not know, a client only skips it.
 */
const ReportedStatus = z.object({
  ...ClusterStatus.shape,
  conditions: z.array(z.object(Condition.shape)),
  directive: z.object(DirectiveSummary.shape).optional(),
});

export const ClusterView = z.object({
  id: z.string(),
  labels: z.record(z.string(), z.string()),
  presence: PresenceState,
  /** When presence last changed; null if never heard from. */
  presenceAt: Timestamp.nullable(),
  agentVersion: z.string().nullable(),
  /** Highest report record seq committed for this cluster. */
  lastSeq: Count,
  status: ReportedStatus.nullable(),
  /** When the agent produced `status`. */
  statusAt: Timestamp.nullable(),
});
export type ClusterView = z.infer<typeof ClusterView>;

export const EventView = z.object({
  seq: Count,
  /** When the agent recorded it. */
  at: Timestamp,
  reason: z.string(),
  message: z.string(),
  severity: z.enum(['info', 'warning', 'error']),
});
export type EventView = z.infer<typeof EventView>;

/** `GET /api/v1/clusters/{id}`: the cluster and its latest events, oldest first. */
export const ClusterDetail = ClusterView.extend({ events: z.array(EventView) });
export type ClusterDetail = z.infer<typeof ClusterDetail>;

export const ClusterList = itemsOf(ClusterView);
export type ClusterList = z.infer<typeof ClusterList>;

export const ClustersQuery = z.object({
  /** A label selector such as `region=eu,tier in (a,b),!legacy` (parsed by the route). */
  selector: z.string().optional().meta({ description: 'label selector, e.g. region=eu,tier in (a,b),!legacy' }),
  presence: z.enum(['online', 'offline'], 'online or offline').optional().meta({ description: 'only online or offline clusters' }),
});
export type ClustersQuery = z.infer<typeof ClustersQuery>;

/** `PUT /api/v1/clusters/{id}/labels`: every label, replacing the old ones. */
export const LabelsBody = z.strictObject({ labels: z.record(z.string(), z.string()) });
export type LabelsBody = z.infer<typeof LabelsBody>;

export const FleetSummary = z.object({
  total: Count,
  online: Count,
  offline: Count,
  /** Neither online nor offline: never heard from. */
  unknown: Count,
  /** Clusters by reported health; `None` for clusters that never reported a status. */
  health: z.record(z.string(), Count),
  /** Clusters by applied revision (full SHA); `none` before the first apply. */
  revisions: z.record(z.string(), Count),
  drifted: Count,
  activeRollouts: Count,
});
export type FleetSummary = z.infer<typeof FleetSummary>;
