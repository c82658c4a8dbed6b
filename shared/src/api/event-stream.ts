/**
 * `GET /api/v1/stream` (server-sent events): the payload of each named event. Comments
 * (`: connected` once subscribed, `: keepalive`) carry none. A client skips events it has no
 * schema for, so a newer hub may add some.
 */
import type { z } from 'zod';
import { ClusterView } from './clusters.js';
import { RolloutEvent } from './rollouts.js';

export const STREAM_EVENTS = {
  /** On every change of any rollout: its progress without the per-cluster list. */
  rollout: RolloutEvent,
  /** A cluster's view after each committed status report, presence change or label change. */
  cluster: ClusterView,
} as const;
export type StreamEventName = keyof typeof STREAM_EVENTS;
export type StreamEventData<N extends StreamEventName> = z.infer<(typeof STREAM_EVENTS)[N]>;

export const isStreamEventName = (name: string): name is StreamEventName => Object.hasOwn(STREAM_EVENTS, name);
