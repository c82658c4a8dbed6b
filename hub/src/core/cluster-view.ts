/**
 * A cluster as the hub knows it: labels, presence and the latest status its agent reported. The
 * shape is the operator API's (shared/src/api/clusters.ts), so what the hub keeps is what it answers.
 */
import type { Assert, SameType } from '../../../shared/src/api/common.js';
import type { ClusterView } from '../../../shared/src/api/clusters.js';
import type { ClusterStatus } from '../../../shared/src/protocol/protocol.js';

export type { ClusterView, PresenceState } from '../../../shared/src/api/clusters.js';

// The status is what the agent reported, as the protocol defines it.
type _StatusIsReported = Assert<SameType<NonNullable<ClusterView['status']>, ClusterStatus>>;
