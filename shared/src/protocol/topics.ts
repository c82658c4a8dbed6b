/** The only place topic strings are spelled. Every other module builds or parses them here. */
const PREFIX = 'fleet/v1/c';

export const Channel = {
  presence: 'presence',
  report: 'report',
  ack: 'ack',
  directive: 'directive',
} as const;
export type Channel = (typeof Channel)[keyof typeof Channel];

const channels = new Set<string>(Object.values(Channel));

export const topics = {
  presence: (clusterId: string) => `${PREFIX}/${clusterId}/${Channel.presence}`,
  report: (clusterId: string) => `${PREFIX}/${clusterId}/${Channel.report}`,
  ack: (clusterId: string) => `${PREFIX}/${clusterId}/${Channel.ack}`,
  directive: (clusterId: string) => `${PREFIX}/${clusterId}/${Channel.directive}`,
  /** Subscription pattern the hub uses to hear every cluster on one channel. */
  allClusters: (channel: Channel) => `${PREFIX}/+/${channel}`,
} as const;

export interface ClusterTopic {
  clusterId: string;
  channel: Channel;
}

/** Parses `fleet/v1/c/{id}/{channel}`; anything else (wildcards included) is `undefined`. */
export function parseClusterTopic(topic: string): ClusterTopic | undefined {
  const parts = topic.split('/');
  if (parts.length !== 5 || `${parts[0]}/${parts[1]}/${parts[2]}` !== PREFIX) return undefined;
  const [, , , clusterId, channel] = parts;
  if (!clusterId || clusterId === '+' || clusterId === '#' || !channel || !channels.has(channel)) {
    return undefined;
  }
  return { clusterId, channel: channel as Channel };
}
